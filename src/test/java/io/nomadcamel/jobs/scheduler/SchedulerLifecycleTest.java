package io.nomadcamel.jobs.scheduler;

import static io.nomadcamel.jobs.scheduler.RunRows.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testjobs.TestJobs;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import org.junit.jupiter.api.Test;

/** Shutdown, history retention, metrics, and the embedded single-instance default. */
class SchedulerLifecycleTest {

    private static final String TOKEN = "lifecycle-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void gracefulShutdownStopsRunsAndTheirProcessesAndRecordsThem() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String url = pg.createDatabase("lifecycle_shutdown");
        RunRows rows = new RunRows(pg, "lifecycle_shutdown");
        Path pidFile = Files.createTempFile("ncj-shutdown-", ".pid");
        String config = "jobs.long.type=test-process\njobs.long.timeout=10m\n"
                + "jobs.long.input={\"seconds\":600,\"pid_file\":\"" + pidFile + "\"}\n";
        try (AppProcess app = AppProcess.start(Map.of("DB_URL", url, "DB_USER", pg.user(), "API_TOKEN", TOKEN),
                config).awaitReady(Duration.ofSeconds(60))) {
            assertEquals(202, app.api("POST", "/api/jobs/long/runs", null, TOKEN).statusCode());
            rows.await("long", Duration.ofSeconds(10), "the run started", r -> count(r, "RUNNING") == 1);
            long childPid = TestJobs.awaitPid(pidFile);
            long before = System.currentTimeMillis();
            app.stop(); // SIGTERM
            assertTrue(System.currentTimeMillis() - before < 20_000, "shutdown is bounded");
            RunRows.Row run = rows.all("long").get(0);
            assertEquals("CANCELLED", run.state(), run.toString());
            assertEquals("application shutdown", run.reason());
            assertFalse(ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false), "child stopped");
        } finally {
            Files.deleteIfExists(pidFile);
        }
    }

    /**
     * The out-of-the-box case: SIGTERM on the embedded database. H2 closes its files from a JVM shutdown hook of its
     * own unless told not to, racing the graceful shutdown that records the runs (a run left RUNNING, then taken for
     * dead and compensated by the next start).
     */
    @Test
    void gracefulShutdownOnTheEmbeddedDatabaseRecordsTheRunBeforeTheDatabaseCloses() throws Exception {
        Path pidFile = Files.createTempFile("ncj-shutdown-", ".pid");
        String config = "jobs.long.type=test-process\njobs.long.timeout=10m\n"
                + "jobs.long.input={\"seconds\":600,\"pid_file\":\"" + pidFile + "\"}\n";
        Map<String, String> env = new java.util.HashMap<>(Map.of("API_TOKEN", TOKEN));
        AppProcess first = AppProcess.start(env, config).awaitReady(Duration.ofSeconds(60));
        try {
            assertEquals(202, first.api("POST", "/api/jobs/long/runs", null, TOKEN).statusCode());
            TestJobs.awaitPid(pidFile);
            first.stop(); // SIGTERM
            assertFalse(first.output().contains("Database is already closed"),
                    "the database stayed open until the scheduler had recorded the runs:\n" + first.output());
            env.put("DATA_DIR", first.dataDir().toString());
            try (AppProcess second = AppProcess.start(env, config).awaitReady(Duration.ofSeconds(60))) {
                List<JsonNode> runs = runs(second, "long");
                assertEquals(1, runs.size(), runs.toString());
                assertEquals("CANCELLED", runs.get(0).path("state").asText(), runs.toString());
                assertEquals("application shutdown", runs.get(0).path("reason").asText(), runs.toString());
            }
        } finally {
            first.close();
            Files.deleteIfExists(pidFile);
        }
    }

    @Test
    void historyOlderThanKeepDaysIsDeletedAndMetricsCountRuns() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String url = pg.createDatabase("lifecycle_retention");
        String config = "jobs.quick.type=test-sleep\njobs.quick.input={\"sleep_ms\":1}\n"
                + "jobs.broken.type=test-fail\n";
        // first start creates the schema; then old history is planted before the second start
        try (AppProcess app = AppProcess.start(Map.of("DB_URL", url, "DB_USER", pg.user()), config)
                .awaitReady(Duration.ofSeconds(60))) {
            app.stop();
        }
        pg.execute("lifecycle_retention",
                "INSERT INTO runs (job_id, job_type, trigger_kind, state, attempt, timeout_ms, queued_at, finished_at) "
                        + "VALUES ('quick', 'test-sleep', 'api', 'SUCCEEDED', 1, 1000, now() - interval '40 days', "
                        + "now() - interval '40 days')",
                "INSERT INTO runs (job_id, job_type, trigger_kind, state, attempt, timeout_ms, queued_at, finished_at) "
                        + "VALUES ('quick', 'test-sleep', 'api', 'SUCCEEDED', 1, 1000, now() - interval '20 days', "
                        + "now() - interval '20 days')");
        RunRows rows = new RunRows(pg, "lifecycle_retention");
        try (AppProcess app = AppProcess.start(Map.of("DB_URL", url, "DB_USER", pg.user(), "API_TOKEN", TOKEN,
                "RUNS_KEEP_DAYS", "30"), config).awaitReady(Duration.ofSeconds(60))) {
            rows.await("quick", Duration.ofSeconds(10), "the 40-day-old run deleted", r -> r.size() == 1);
            assertEquals(202, app.api("POST", "/api/jobs/quick/runs", null, TOKEN).statusCode());
            assertEquals(202, app.api("POST", "/api/jobs/broken/runs", null, TOKEN).statusCode());
            rows.await("quick", Duration.ofSeconds(10), "a new run", r -> count(r, "SUCCEEDED") == 2);
            rows.await("broken", Duration.ofSeconds(10), "a failed run", r -> count(r, "FAILED") == 1);
            String metrics = AppProcess.get(app.managementUrl("/observe/metrics")).body();
            assertTrue(metrics.contains("ncj_runs_total{job=\"quick\",state=\"SUCCEEDED\",type=\"test-sleep\"} 1.0"),
                    metrics);
            assertTrue(metrics.contains("ncj_runs_total{job=\"broken\",state=\"FAILED\",type=\"test-fail\"} 1.0"),
                    metrics);
            assertTrue(metrics.contains("ncj_job_last_success_timestamp_seconds{job=\"broken\",type=\"test-fail\"} 0.0"),
                    "a job that never succeeded reads 0, for the 'not succeeded in 26 h' alert");
            assertFalse(metrics.contains("ncj_job_last_success_timestamp_seconds{job=\"quick\",type=\"test-sleep\"} 0.0"),
                    metrics);
            assertTrue(metrics.contains("ncj_run_duration_seconds_count{job=\"quick\",type=\"test-sleep\"} 1"),
                    metrics);
        }
    }

    @Test
    void embeddedDefaultRunsQueuedAndRecurringJobsWithTheSameSemantics() throws Exception {
        String config = "jobs.q.type=test-sleep\njobs.q.mode=queued\njobs.q.queue=solo\njobs.q.timeout=1m\n"
                + "jobs.q.input={\"sleep_ms\":50}\n"
                + "jobs.slow.type=test-sleep\njobs.slow.every=1s\njobs.slow.input={\"sleep_ms\":1500}\n";
        try (AppProcess app = AppProcess.start(Map.of("API_TOKEN", TOKEN, "SCHEDULER_POLL_INTERVAL", "200ms"), config)
                .awaitReady(Duration.ofSeconds(60))) {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = app.api("POST", "/api/jobs/q/runs", null, TOKEN);
                assertEquals(202, r.statusCode());
                JsonNode answer = JSON.readTree(r.body());
                assertTrue(answer.path("queue_position").asInt() >= 0, r.body());
            }
            long deadline = System.currentTimeMillis() + 20_000;
            List<JsonNode> queued;
            List<JsonNode> slow;
            do {
                Thread.sleep(200);
                queued = runs(app, "q");
                slow = runs(app, "slow");
            } while ((queued.stream().filter(r -> r.path("state").asText().equals("SUCCEEDED")).count() < 5
                    || slow.stream().noneMatch(r -> "overlap".equals(r.path("reason").asText())))
                    && System.currentTimeMillis() < deadline);
            assertEquals(5, queued.stream().filter(r -> r.path("state").asText().equals("SUCCEEDED")).count(),
                    queued.toString());
            assertTrue(slow.stream().anyMatch(r -> "overlap".equals(r.path("reason").asText())), slow.toString());
            assertTrue(Files.exists(app.dataDir().resolve("nomad-camel-jobs.mv.db")), "runs are in the H2 file");
        }
    }

    private static List<JsonNode> runs(AppProcess app, String job) throws Exception {
        JsonNode list = JSON.readTree(AppProcess.get(app.url("/api/runs?job=" + job + "&limit=100")).body());
        List<JsonNode> out = new java.util.ArrayList<>();
        list.forEach(out::add);
        return out;
    }
}
