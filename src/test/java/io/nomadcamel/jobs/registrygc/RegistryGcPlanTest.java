package io.nomadcamel.jobs.registrygc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.maintenance.MaintenanceException;
import io.nomadcamel.jobs.maintenance.MaintenanceRequest;
import io.nomadcamel.jobs.maintenance.MaintenanceSettings;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * registry-gc's own logic: the input (defaults, bad fields named), the command template (quoting checked by a real
 * shell), the result (sizes written as the original worker wrote them).
 */
class RegistryGcPlanTest {

    @Test
    void theDesignDefaultsBuildTheDockerCommandWithBothFlags() {
        Map<String, Object> request = plan(Map.of(), null);

        assertEquals("registry", request.get("job_name"));
        assertEquals("registry", request.get("group_name"));
        assertEquals("/mnt/gdrive/munchbox-data/registry", request.get("measure_path"));
        assertEquals("docker run --rm --name {container_name} -v '/mnt/gdrive/munchbox-data/registry':"
                + "/var/lib/registry 'registry:3' "
                + "garbage-collect --dry-run --delete-untagged /etc/distribution/config.yml", request.get("command"));
        assertEquals(true, request.get("dry_run"));
    }

    @Test
    void flagsFollowTheInputAndTimeoutsPassThrough() {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("dry_run", false);
        input.put("delete_untagged", false);
        input.put("group_name", "registry-group");
        input.put("gc_timeout", "90m");
        input.put("drain_timeout", "30s");
        Map<String, Object> request = plan(input, "docker-registry garbage-collect {flags} /etc/registry.yml");

        assertEquals("docker-registry garbage-collect  /etc/registry.yml", request.get("command"));
        assertEquals("registry-group", request.get("group_name"));
        assertEquals("90m", request.get("command_timeout"));
        assertEquals("30s", request.get("drain_timeout"));
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        assertMessage(Map.of("dryrun", true), "dryrun is not a field");
        assertMessage(Map.of("registry_data_dir", "/mnt/registry/../etc"), "registry_data_dir must be a normalised path");
        assertMessage(Map.of("dry_run", "yes"), "dry_run must be true or false");
        assertMessage(Map.of("registry_data_dir", "relative/dir"), "registry_data_dir must be an absolute path");
        assertMessage(Map.of("job_name", ""), "job_name must be a non-empty string");
        assertMessage(Map.of("gc_timeout", "soon"), "gc_timeout must be a duration");
        IllegalArgumentException noFlags = assertThrows(IllegalArgumentException.class,
                () -> plan(Map.of(), "docker-registry garbage-collect /etc/registry.yml"));
        assertTrue(noFlags.getMessage().contains("REGISTRY_GC_COMMAND") && noFlags.getMessage().contains("{flags}"),
                noFlags.getMessage());
    }

    @Test
    void aDockerRunWithoutTheContainersNameIsRefusedAndTheNameIsTheIntentsQuoted() {
        for (String unnamed : List.of("docker run --rm -v {data_dir}:/r {image} garbage-collect {flags} /c.yml",
                "/usr/bin/docker container run {image} {flags}", "sudo docker run {image} {flags}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan(Map.of(), unnamed));
            assertTrue(e.getMessage().contains("REGISTRY_GC_COMMAND") && e.getMessage().contains("{container_name}"),
                    e.getMessage());
        }
        Map<String, Object> request = plan(Map.of(), null);
        MaintenanceRequest parsed = MaintenanceRequest.from(request, MaintenanceSettings.from(settings()),
                "registry-gc");
        assertTrue(parsed.container());
        assertEquals("docker run --rm --name 'ncj-maint-7' -v '/mnt/gdrive/munchbox-data/registry':/var/lib/registry "
                + "'registry:3' garbage-collect --dry-run --delete-untagged /etc/distribution/config.yml",
                parsed.command(MaintenanceRequest.containerName(7)));
        MaintenanceException refused = assertThrows(MaintenanceException.class, () -> MaintenanceRequest.from(
                Map.of("job_name", "aptly", "command", "docker run --rm aptly db cleanup"),
                MaintenanceSettings.from(settings()), "aptly-cleanup"));
        assertTrue(refused.getMessage().startsWith("command runs a container (docker run) without --name "
                + "{container_name}"), refused.getMessage());
        assertFalse(MaintenanceRequest.from(Map.of("job_name", "r", "command", "docker-registry garbage-collect x"),
                MaintenanceSettings.from(settings()), "registry-gc").container(), "not a container");
    }

    @Test
    void hostileNamesReachTheProgramAsOneLiteralArgumentEach() throws Exception {
        String dataDir = "/data/$(touch /tmp/pwned)/it's {image}; rm -rf / #";
        String image = "registry:3' ; echo injected ; '";
        String command = GcCommand.render("printf '[%s]\\n' {data_dir} {image} {flags}", dataDir, image, true, false);

        Process sh = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        assertTrue(sh.waitFor(10, TimeUnit.SECONDS));
        String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertEquals("[" + dataDir + "]\n[" + image + "]\n[--dry-run]\n", out);
    }

    @Test
    void sizesAreWrittenAsTheOriginalWorkerWroteThem() {
        assertEquals("0B", ByteSizes.iec(0));
        assertEquals("9B", ByteSizes.iec(9));
        assertEquals("512B", ByteSizes.iec(512));
        assertEquals("1023B", ByteSizes.iec(1023));
        assertEquals("1.0KiB", ByteSizes.iec(1024));
        assertEquals("2.0KiB", ByteSizes.iec(2048));
        assertEquals("9.5KiB", ByteSizes.iec(9728));
        assertEquals("10KiB", ByteSizes.iec(10 * 1024 - 20)); // 9.98 rounds to 10: no decimal from 10 up
        assertEquals("150MiB", ByteSizes.iec(150L * 1024 * 1024));
        assertEquals("1.5GiB", ByteSizes.iec(3L * 512 * 1024 * 1024));
        assertEquals("-2.0KiB", ByteSizes.iec(-2048));
    }

    @Test
    void theReportCountsTheEligibleLinesAndTheReclaimedBytes() throws Exception {
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("node_name", "node-1");
        done.put("node_addr", "10.0.0.11");
        done.put("dry_run", false);
        done.put("before_bytes", 160L * 1024 * 1024);
        done.put("after_bytes", 10L * 1024 * 1024);
        done.put("command_stdout", GcOutputTest.fixture("garbage-collect-delete-untagged.stdout"));
        done.put("compensation", Map.of("status", "scaled back"));

        Map<String, Object> result = new RegistryGc(RegistryGcPlanTest::settings).report(done);

        assertEquals(6, result.get("blobs_deleted"));
        assertEquals(1, result.get("manifests_deleted"));
        assertEquals("150MiB", result.get("bytes_reclaimed"));
        assertEquals(7L, result.get("blobs_marked"));
        assertEquals(List.of("sha256:ef664ceb48e11c6a779cfa0057d68aba8a45b10b68a56cf0bfbf01e74787e3a5"),
                result.get("eligible_manifests"));
        assertEquals("node-1", result.get("node_name"));
        assertEquals(false, result.get("dry_run"));
    }

    private static Map<String, Object> plan(Map<String, Object> input, String template) {
        Properties props = new Properties();
        if (template != null) {
            props.setProperty(GcCommand.SETTING, template);
        }
        return new RegistryGc(() -> settings(props)).plan(new LinkedHashMap<>(input));
    }

    private static void assertMessage(Map<String, Object> input, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan(input, null));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static Settings settings() {
        return settings(new Properties());
    }

    private static Settings settings(Properties props) {
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setInitialProperties(props);
        return new Settings(camel);
    }
}
