package io.nomadcamel.jobs.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.Test;

/** The application finds its application.properties and routes/ from any working directory, or says what it missed. */
class AppHomeTest {

    @Test
    void startedFromAnotherDirectoryItFindsItsPropertiesAndRoutes() {
        Path elsewhere = TempDirs.create("elsewhere");
        try (AppProcess app = AppProcess.startIn(elsewhere, Map.of()).awaitReady(Duration.ofSeconds(60))) {
            String types = AppProcess.get(app.url("/api/job-types")).body();
            for (String type : List.of("backup", "backup-retention", "node-cleanup", "registry-gc", "restore-drill",
                    "trivy-scan")) {
                assertTrue(types.contains("\"type\":\"" + type + "\""), "routes/ found: " + types);
            }
            assertEquals(200, AppProcess.get(app.url("/api/jobs/backup-daily")).statusCode(),
                    "application.properties found: its jobs exist");
            assertTrue(app.output().contains("Watching " + Path.of("routes").toAbsolutePath()), "the reloader "
                    + "watches the home's routes/, not the working directory's");
        } finally {
            TempDirs.delete(elsewhere);
        }
    }

    @Test
    void aHomeWithoutItsFilesStopsStartUpInOneLineNamingWhatAndWhere() {
        Path empty = TempDirs.create("empty-home");
        try (AppProcess app = AppProcess.startIn(empty, Map.of("APP_HOME", empty.toString()))) {
            assertNotEquals(0, app.awaitExit(Duration.ofSeconds(60)));
            List<String> lines = app.output().lines().filter(l -> l.contains("application.properties")).toList();
            assertEquals(1, lines.size(), app.output());
            assertTrue(lines.get(0).contains("Cannot start: no application.properties in " + empty.toAbsolutePath()
                    .normalize()) && lines.get(0).contains("APP_HOME"), lines.get(0));
            assertFalse(app.output().contains("\tat ") || app.output().contains("Exception in thread"), app.output());
        } finally {
            TempDirs.delete(empty);
        }
    }
}
