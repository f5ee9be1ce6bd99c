package io.nomadcamel.jobs.cleanup;

import static io.nomadcamel.jobs.cleanup.DataDirs.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.FakeNomad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The application as operators run it: application.properties defines cleanup-daily, the job type comes from
 * routes/node-cleanup.camel.yaml and its beans from CleanupConfiguration, found by package scan; a run triggered over
 * the API with an input override cleans real nodes, and a failed node surfaces as the run's error and result.
 */
class NodeCleanupAppTest {

    private static final String TOKEN = "cleanup-app-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final FakeNomad NOMAD = new FakeNomad();

    @Test
    void theDefaultJobIsConfiguredAndATriggeredRunCleansTheNodes() throws Exception {
        try (CleanupCluster cluster = CleanupCluster.create(NOMAD)) {
            CleanupCluster.Node node = cluster.addNode();
            CleanupCluster.Node down = cluster.addUnreachableNode();
            entry(node.dir(), "orphan", Duration.ofDays(9), true);
            entry(node.dir(), "young", Duration.ofDays(2), true);
            Map<String, String> env = new HashMap<>(cluster.environment());
            env.put("API_TOKEN", TOKEN);
            try (AppProcess app = AppProcess.start(env).awaitReady(Duration.ofSeconds(90))) {
                JsonNode job = body(app.api("GET", "/api/jobs/cleanup-daily", null, null), 200);
                assertEquals("node-cleanup", job.get("type").asText());
                assertEquals("0 0 5 * * ?", job.get("cron").asText());
                assertEquals("cleanup", job.get("queue").asText());
                assertEquals(JSON.readTree("{\"data_dir\":\"/opt/nomad/data\",\"grace_days\":7,\"dry_run\":true,"
                        + "\"docker_prune\":false}"), job.get("input"));

                String override = JSON.writeValueAsString(Map.of("data_dir", cluster.dataDir().toString(),
                        "dry_run", false));
                JsonNode run = awaitEnd(app, body(app.api("POST", "/api/jobs/cleanup-daily/runs", override, TOKEN),
                        202).get("run_id").asLong());

                assertEquals("FAILED", run.get("state").asText(), run.toString());
                assertTrue(run.get("error").asText().startsWith("node-cleanup failed on 1 of 2 node(s): "
                        + down.name() + " (" + down.ip() + ")"), run.get("error").asText());
                assertFalse(Files.exists(node.dir().resolve("orphan")), "the reachable node was cleaned");
                assertTrue(Files.exists(node.dir().resolve("young")));
                JsonNode result = run.get("result");
                assertEquals(false, result.get("dry_run").asBoolean());
                assertEquals(1, result.get("totals").get("deleted").asInt());
                assertEquals(down.name(), result.get("failed_nodes").get(0).asText());
                assertEquals(2, result.get("nodes").size());
                HttpResponse<String> ready = AppProcess.get(app.managementUrl("/observe/health/ready"));
                assertEquals(200, ready.statusCode(), "a failed cleanup does not make the application unhealthy");
            }
        }
    }

    private static JsonNode awaitEnd(AppProcess app, long runId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode run = body(app.api("GET", "/api/runs/" + runId, null, null), 200);
            String state = run.get("state").asText();
            if (!state.equals("PENDING") && !state.equals("RUNNING")) {
                return run;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("run " + runId + " did not end within 60 s:\n" + app.output());
    }

    private static JsonNode body(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }
}
