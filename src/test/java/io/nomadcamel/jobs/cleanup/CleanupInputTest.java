package io.nomadcamel.jobs.cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.nomadcamel.jobs.scheduler.InputSchema;
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
        assertMessage("node-cleanup input: grace_days must be a whole number from 0 to 36500, got -1",
                Map.of("grace_days", -1));
        assertMessage("node-cleanup input: grace_days must be a whole number from 0 to 36500, got \"7\"",
                Map.of("grace_days", "7"));
        assertMessage("node-cleanup input: grace_days must be a whole number from 0 to 36500, got 7.5",
                Map.of("grace_days", 7.5));
        assertMessage("node-cleanup input: grace_days must be a whole number from 0 to 36500, got an object",
                Map.of("grace_days", Map.of("days", 7)));
        assertMessage("node-cleanup input: dry_run must be true or false (a JSON boolean), got \"false\"",
                Map.of("dry_run", "false"));
        assertMessage("node-cleanup input: node_concurrency must be a whole number from 1 to 64, got 65",
                Map.of("node_concurrency", 65));
        assertMessage("node-cleanup input: dryrun is not a field (fields: data_dir, grace_days, dry_run, "
                + "docker_prune, node_concurrency)", Map.of("dryrun", false));
        assertEquals("data_dir", assertThrows(InputSchema.InvalidInputException.class,
                () -> CleanupInput.from(Map.of("data_dir", "x".repeat(200_000)))).field(), "a 200 KB string");
    }

    @Test
    void graceZeroMeansEveryFinishedEntryIsOld() {
        assertEquals(0, CleanupInput.from(Map.of("grace_days", 0)).graceDays());
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
