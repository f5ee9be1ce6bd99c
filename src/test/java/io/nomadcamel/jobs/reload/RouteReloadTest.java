package io.nomadcamel.jobs.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.Test;

/** Editing a route file under a running application: bad edits are refused, good ones take effect, runs finish. */
class RouteReloadTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "reload-token";

    private static String echoRoute(String version, String extraStep) {
        return "- route:\n    id: test-echo\n    from:\n      uri: direct:test-echo\n      steps:\n"
                + "        - bean:\n            id: echo-sleep\n            beanType: io.nomadcamel.jobs.testjobs.TestJobs\n"
                + "            method: sleep\n" + extraStep
                + "        - setBody:\n            id: echo-version\n            constant: '{\"version\":\"" + version
                + "\"}'\n";
    }

    @Test
    void badEditsKeepTheOldRouteAndShowInHealthGoodEditsApplyAfterRunsInFlight() throws Exception {
        Path routes = TempDirs.create("routes");
        Path file = routes.resolve("test-echo.camel.yaml");
        Files.writeString(file, echoRoute("1", ""));
        Map<String, String> env = Map.of("API_TOKEN", TOKEN, "ROUTES_RELOAD_DIRECTORY", routes.toString(),
                "ROUTES_RELOAD_INTERVAL", "300ms", "ROUTES_INCLUDE", "file:" + routes + "/*.camel.yaml," + AppProcess.ROUTES_WITH_TEST_JOBS);
        try (AppProcess app = AppProcess.start(env, "jobs.echo.type=test-echo\njobs.echo.input={\"sleep_ms\":1}\n")
                .awaitReady(Duration.ofSeconds(60))) {
            assertEquals("1", runAndGetVersion(app, null));

            Files.writeString(file, echoRoute("broken", "        - nonsenseStep:\n            id: what\n"));
            JsonNode health = await(app, h -> h.toString().contains("test-echo.camel.yaml"));
            assertEquals("DOWN", health.path("status").asText(), health.toString());
            assertTrue(health.toString().contains("rejected"), health.toString());
            assertEquals(200, AppProcess.get(app.managementUrl("/observe/health/ready")).statusCode(),
                    "a refused edit does not take the instance out of service");
            assertEquals("1", runAndGetVersion(app, null), "the previous route keeps running");
            String forConsole = AppProcess.get(app.url("/api/route-problems")).body();
            assertTrue(forConsole.contains("\"file\":\"test-echo.camel.yaml\"") && forConsole.contains("rejected"),
                    "the console's banner source names the file: " + forConsole);

            Files.writeString(file, "- route:\n    id: api-version\n    from:\n      uri: direct:test-echo\n"
                    + "      steps:\n        - log: hi\n");
            await(app, h -> h.toString().contains("belongs to a Java route"));
            assertEquals(200, AppProcess.get(app.url("/api/version")).statusCode(), "Java routes are never removed");

            Files.writeString(file, echoRoute("2", ""));
            await(app, h -> !h.toString().contains("test-echo.camel.yaml"));
            assertEquals("2", runAndGetVersion(app, null), "the good edit changed the job without a restart");

            // an edit while a run is in flight waits for it
            long runId = trigger(app, "{\"sleep_ms\":3000}");
            Thread.sleep(500);
            Files.writeString(file, echoRoute("3", ""));
            await(app, h -> h.toString().contains("waiting"));
            assertEquals("2", awaitResult(app, runId).path("version").asText(), "the run in flight finished as it began");
            await(app, h -> !h.toString().contains("test-echo.camel.yaml"));
            assertEquals("3", runAndGetVersion(app, null));
        } finally {
            TempDirs.delete(routes);
        }
    }

    @Test
    void anEditedYamlOnlyContractIsTheOneTheDoorsCheck() throws Exception {
        Path routes = TempDirs.create("routes");
        Path file = routes.resolve("aptly-cleanup.camel.yaml");
        String shipped = Files.readString(Path.of("routes", "aptly-cleanup.camel.yaml"));
        assertTrue(shipped.contains("        3: /mnt/gdrive/aptly\n"), "the shipped default data dir");
        try (var shippedFiles = Files.list(Path.of("routes"))) {
            for (Path f : shippedFiles.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                Files.copy(f, routes.resolve(f.getFileName())); // the shipped jobs need their types
            }
        }
        Map<String, String> env = Map.of("API_TOKEN", TOKEN, "ROUTES_RELOAD_DIRECTORY", routes.toString(),
                "ROUTES_RELOAD_INTERVAL", "300ms", "ROUTES_INCLUDE", "file:" + routes + "/*.camel.yaml");
        try (AppProcess app = AppProcess.start(env, "jobs.aptly.type=aptly-cleanup\n")
                .awaitReady(Duration.ofSeconds(60))) {
            assertEquals("/mnt/gdrive/aptly", aptlyDataDirDefault(app));

            Files.writeString(file, shipped.replace("        3: /mnt/gdrive/aptly\n", "        3: /srv/aptly\n"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!aptlyDataDirDefault(app).equals("/srv/aptly")) {
                assertTrue(System.nanoTime() < deadline, "the reloaded contract was not taken: " + aptlyDataDirDefault(app)
                        + "\n" + app.output());
                Thread.sleep(200);
            }
            var refused = app.api("POST", "/api/jobs/aptly/runs", "{\"data_dir\":\"srv\"}", TOKEN);
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("such as /srv/aptly"), "checked by the reloaded contract: "
                    + refused.body());
        } finally {
            TempDirs.delete(routes);
        }
    }

    private static String aptlyDataDirDefault(AppProcess app) throws Exception {
        for (JsonNode type : JSON.readTree(AppProcess.get(app.url("/api/job-types")).body())) {
            if (type.path("type").asText().equals("aptly-cleanup")) {
                return type.at("/input_schema/properties/data_dir/default").asText();
            }
        }
        throw new AssertionError("no aptly-cleanup in /api/job-types");
    }

    private static String runAndGetVersion(AppProcess app, String body) throws Exception {
        return awaitResult(app, trigger(app, body)).path("version").asText();
    }

    private static long trigger(AppProcess app, String body) throws Exception {
        var r = app.api("POST", "/api/jobs/echo/runs", body, TOKEN);
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("run_id").asLong();
    }

    private static JsonNode awaitResult(AppProcess app, long runId) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            JsonNode run = JSON.readTree(AppProcess.get(app.url("/api/runs/" + runId)).body());
            if (run.path("state").asText().equals("SUCCEEDED")) {
                return run.path("result");
            }
            assertTrue(!run.path("finished_at").isTextual(), "run ended " + run);
            Thread.sleep(100);
        }
        throw new AssertionError("run " + runId + " did not finish");
    }

    private static JsonNode await(AppProcess app, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        JsonNode health = null;
        while (System.currentTimeMillis() < deadline) {
            health = JSON.readTree(AppProcess.get(app.managementUrl("/observe/health?exposureLevel=full")).body());
            if (condition.test(health)) {
                return health;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("health never matched; last: " + health);
    }
}
