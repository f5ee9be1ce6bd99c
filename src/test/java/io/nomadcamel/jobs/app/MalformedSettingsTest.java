package io.nomadcamel.jobs.app;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.nomadcamel.jobs.testsupport.AppProcess;
import org.junit.jupiter.api.Test;

/** A malformed setting stops start-up with a message that names the key, wherever the value came from. */
class MalformedSettingsTest {

    @Test
    void nonNumericServerPortFromEnvironmentNamesTheKey() {
        assertStartUpFailsNaming(Map.of("SERVER_PORT", "eighty"), "server.port", "eighty");
    }

    @Test
    void nonNumericPoolSizeNamesTheKey() {
        assertStartUpFailsNaming(Map.of("DB_POOL_SIZE", "lots"), "db.pool-size", "lots");
    }

    @Test
    void malformedValueInTheOperatorsConfigFileNamesTheKey() throws Exception {
        Path file = Files.createTempFile("ncj-config-", ".properties");
        try {
            // the operator's file overrides application.properties (environment variables override both)
            Files.writeString(file, "db.pool-size = several\n");
            assertStartUpFailsNaming(Map.of("CONFIG_FILE", file.toString()), "db.pool-size", "several");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void anInvalidPropertiesJobFailsStartUpNamingJobAndField() {
        try (AppProcess app = AppProcess.start(Map.of(), "jobs.nightly.type=test-sleep\njobs.nightly.cron=0 0 25 * * ?\n")) {
            assertNotEquals(0, app.awaitExit(Duration.ofSeconds(60)));
            assertTrue(app.output().contains("job 'nightly': jobs.nightly.cron '0 0 25 * * ?' is not a Quartz cron"),
                    app.output());
        }
    }

    @Test
    void aServerPortInUseFailsStartUpNamingIt() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("0.0.0.0"))) {
            String port = String.valueOf(taken.getLocalPort());
            assertStartUpFailsNaming(Map.of("SERVER_PORT", port), "SERVER_PORT", port);
        }
    }

    private static void assertStartUpFailsNaming(Map<String, String> env, String key, String value) {
        try (AppProcess app = AppProcess.start(env)) {
            int exit = app.awaitExit(Duration.ofSeconds(60));
            assertNotEquals(0, exit, "start-up must fail:\n" + app.output());
            String out = app.output();
            assertTrue(out.contains(key) || out.contains(key.replace("-", "").toUpperCase()),
                    "the error names " + key + ":\n" + out);
            assertTrue(out.contains(value), "the error shows the bad value:\n" + out);
        }
    }
}
