package io.nomadcamel.jobs.scheduler;

import static io.nomadcamel.jobs.scheduler.RunRows.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import org.junit.jupiter.api.Test;

/**
 * Two instances on one PostgreSQL share more than schedules: a job created over one instance's API is run by the
 * other (which hosts its type), a job deleted on one is gone from the other, and a continuous job outlives the
 * graceful shutdown of the instance that ran it.
 */
class SeveralInstancesHandoverTest {

    private static final String TOKEN = "handover-token";

    @Test
    void apiJobsAndContinuousJobsMoveBetweenInstances() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String url = pg.createDatabase("handover");
        RunRows rows = new RunRows(pg, "handover");
        String config = "jobs.forever.type=test-sleep\njobs.forever.mode=continuous\njobs.forever.restart-delay=200ms\n"
                + "jobs.forever.input={\"sleep_ms\":600000}\n";
        Map<String, String> common = Map.of("DB_URL", url, "DB_USER", pg.user(), "API_TOKEN", TOKEN,
                "SCHEDULER_LEASE", "3s", "SCHEDULER_POLL_INTERVAL", "200ms", "SCHEDULER_CLUSTER_CHECKIN", "1s");
        Map<String, String> envA = new HashMap<>(common);
        envA.put("SCHEDULER_INSTANCE_ID", "instance-a");
        Map<String, String> envB = new HashMap<>(common);
        envB.put("SCHEDULER_INSTANCE_ID", "instance-b");
        envB.put("WORKER_JOB_TYPES", "test-sleep");
        try (AppProcess a = AppProcess.start(envA, config).awaitReady(Duration.ofSeconds(60));
                AppProcess b = AppProcess.start(envB, config).awaitReady(Duration.ofSeconds(60))) {
            // created and triggered on b, which does not host test-process: a, started before the job existed, runs it
            assertEquals(201, b.api("POST", "/api/jobs", "{\"id\":\"made-on-b\",\"type\":\"test-process\","
                    + "\"timeout\":\"1m\",\"input\":{\"seconds\":1}}", TOKEN).statusCode());
            assertEquals(202, b.api("POST", "/api/jobs/made-on-b/runs", null, TOKEN).statusCode());
            RunRows.Row ran = rows.await("made-on-b", Duration.ofSeconds(15), "the run to end",
                    r -> r.size() == 1 && r.get(0).finishedAt() != null).get(0);
            assertEquals("SUCCEEDED", ran.state(), ran.toString());
            assertEquals("instance-a", ran.instance());
            assertEquals(200, AppProcess.get(a.url("/api/jobs/made-on-b")).statusCode(), "a lists it too");

            assertEquals(204, a.api("DELETE", "/api/jobs/made-on-b", null, TOKEN).statusCode());
            assertEquals(404, awaitStatus(b, "/api/jobs/made-on-b", 404), "deleted on a, gone from b");

            RunRows.Row running = rows.await("forever", Duration.ofSeconds(10), "the continuous run",
                    r -> count(r, "RUNNING") == 1).stream().filter(r -> r.state().equals("RUNNING")).findFirst()
                    .orElseThrow();
            AppProcess holder = running.instance().equals("instance-a") ? a : b;
            String other = holder == a ? "instance-b" : "instance-a";
            holder.stop(); // SIGTERM: a rolling deploy
            List<RunRows.Row> after = rows.await("forever", Duration.ofSeconds(15), "the job running on " + other,
                    r -> r.stream().anyMatch(x -> x.state().equals("RUNNING") && x.instance().equals(other)));
            RunRows.Row stopped = after.stream().filter(r -> r.id() == running.id()).findFirst().orElseThrow();
            assertEquals("application shutdown", stopped.reason(), stopped.toString());
            assertTrue(after.stream().anyMatch(r -> r.trigger().equals("restart") && other.equals(r.instance())),
                    "handed over as a restart: " + after);
        }
    }

    private static int awaitStatus(AppProcess app, String path, int expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        int status = AppProcess.get(app.url(path)).statusCode();
        while (status != expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            status = AppProcess.get(app.url(path)).statusCode();
        }
        return status;
    }
}
