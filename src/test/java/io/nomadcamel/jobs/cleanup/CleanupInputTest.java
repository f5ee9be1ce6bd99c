package io.nomadcamel.jobs.cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The job's input: the original worker's names and defaults; anything else fails naming the field. */
class CleanupInputTest {

    @Test
    void defaultsAreTheDesignsWithDryRunOn() {
        assertEquals(new CleanupInput(Path.of("/opt/nomad/data"), 7, true, false, 4), CleanupInput.from(Map.of()));
        assertEquals(new CleanupInput(Path.of("/srv/nomad"), 3, false, true, 8), CleanupInput.from(Map.of(
                "data_dir", "/srv/nomad/", "grace_days", 3, "dry_run", false, "docker_prune", true,
                "node_concurrency", 8)));
    }

    @Test
    void wrongValuesFailNamingTheField() {
        assertMessage("node-cleanup input: data_dir must be an absolute path such as /opt/nomad/data, got \"data\"",
                Map.of("data_dir", "data"));
        assertMessage("node-cleanup input: data_dir must not be the root directory, got \"/\"", Map.of("data_dir", "/"));
        assertMessage("node-cleanup input: data_dir must be a normalised path (no '.', '..' or '//'), got "
                + "\"/opt/nomad/../etc\"", Map.of("data_dir", "/opt/nomad/../etc"));
        assertMessage("node-cleanup input: data_dir must be a normalised path (no '.', '..' or '//'), got "
                + "\"/opt//nomad\"", Map.of("data_dir", "/opt//nomad"));
        assertMessage("node-cleanup input: grace_days must be a whole number from 1 to 36500, got 0",
                Map.of("grace_days", 0));
        assertMessage("node-cleanup input: grace_days must be a whole number from 1 to 36500, got \"7\"",
                Map.of("grace_days", "7"));
        assertMessage("node-cleanup input: grace_days must be a whole number from 1 to 36500, got 7.5",
                Map.of("grace_days", 7.5));
        assertMessage("node-cleanup input: dry_run must be true or false (a JSON boolean), got \"false\"",
                Map.of("dry_run", "false"));
        assertMessage("node-cleanup input: node_concurrency must be a whole number from 1 to 64, got 65",
                Map.of("node_concurrency", 65));
        assertMessage("node-cleanup input: unknown field(s) [dryrun] (known: [data_dir, docker_prune, dry_run, "
                + "grace_days, node_concurrency])", Map.of("dryrun", false));
    }

    @Test
    void aNullFieldMeansItsDefault() {
        Map<String, Object> input = new HashMap<>();
        input.put("dry_run", null);
        assertEquals(true, CleanupInput.from(input).dryRun());
    }

    private static void assertMessage(String message, Map<String, Object> input) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> CleanupInput.from(input))
                .getMessage());
    }
}
