package io.nomadcamel.jobs.scheduler;

import static io.nomadcamel.jobs.scheduler.RunRows.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.nomadcamel.jobs.testjobs.TestJobs;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * What happens to runs when things go wrong around them: an outcome the database refuses, an instance killed with a
 * start-up run active, a run marked ended while it still ran, a paused continuous job. Each must end with the job
 * able to run again, never a run stuck RUNNING or an instance that cannot start.
 */
class SchedulerRecoveryTest {

    private static final String TOKEN = "recovery-token";

    private TestDatabase env(TestInfo test) {
        return TestDatabase.forTest(test, "recovery", TOKEN, Map.of("SCHEDULER_LEASE", "3s"));
    }

    @Test
    void anErrorTextPostgresqlCannotStoreStillEndsTheRunAndTheJobRunsAgain(TestInfo test) {
        TestDatabase env = env(test);
        try (AppProcess app = AppProcess.start(env.vars(), "jobs.broken.type=test-fail\n")
                .awaitReady(Duration.ofSeconds(60))) {
            assertEquals(202, app.api("POST", "/api/jobs/broken/runs", "{\"message\":\"bad\\u0000byte\"}", TOKEN)
                    .statusCode());
            RunRows.Row failed = env.rows().await("broken", Duration.ofSeconds(15), "the run to end",
                    r -> count(r, "FAILED") == 1).get(0);
            assertEquals("bad\uFFFDbyte", failed.error(), "the NUL is kept visible, not a reason to lose the run");
            assertEquals(202, app.api("POST", "/api/jobs/broken/runs", null, TOKEN).statusCode(),
                    "the job is free to run again");
        }
    }

    @Test
    void anInstanceKilledWithAStartUpRunActiveStartsAgainAndTheLeftoverRunIsAbandoned(TestInfo test)
            throws Exception {
        TestDatabase env = env(test);
        Path pidFile = Files.createTempFile("ncj-boot-", ".pid");
        String config = "jobs.boot.type=test-process\njobs.boot.timeout=10m\njobs.boot.run-at-startup=true\n"
                + "jobs.boot.input={\"seconds\":600,\"pid_file\":\"" + pidFile + "\"}\n";
        try {
            try (AppProcess first = AppProcess.start(env.vars(), config).awaitReady(Duration.ofSeconds(60))) {
                env.rows().await("boot", Duration.ofSeconds(10), "the start-up run", r -> count(r, "RUNNING") == 1);
                first.kill();
            }
            try (AppProcess second = AppProcess.start(env.vars(), config).awaitReady(Duration.ofSeconds(60))) {
                List<RunRows.Row> rows = env.rows().await("boot", Duration.ofSeconds(15),
                        "the dead instance's run abandoned", r -> count(r, "ABANDONED") == 1);
                assertEquals(1, rows.size(), "one-shot: the start-up run is not repeated over a live one: " + rows);
                assertTrue(second.output().contains("already has an active run"), "the refusal is logged");
            }
        } finally {
            String pid = Files.readString(pidFile).trim();
            if (!pid.isEmpty()) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL orphan
            }
            Files.deleteIfExists(pidFile);
        }
    }

    @Test
    void aRunMarkedEndedWhileItStillRunsIsStoppedOnItsInstance(TestInfo test) throws Exception {
        TestDatabase env = env(test);
        Path pidFile = Files.createTempFile("ncj-lost-", ".pid");
        String config = "jobs.long.type=test-process\njobs.long.timeout=10m\n"
                + "jobs.long.input={\"seconds\":600,\"pid_file\":\"" + pidFile + "\"}\n";
        try (AppProcess app = AppProcess.start(env.vars(), config).awaitReady(Duration.ofSeconds(60))) {
            assertEquals(202, app.api("POST", "/api/jobs/long/runs", null, TOKEN).statusCode());
            RunRows.Row run = env.rows().await("long", Duration.ofSeconds(10), "the run",
                    r -> count(r, "RUNNING") == 1).get(0);
            long child = TestJobs.awaitPid(pidFile);
            // what another instance does when this one renews too late: the run is ABANDONED and its job freed
            abandonBehindItsBack(env, run.id());
            long deadline = System.currentTimeMillis() + 10_000;
            while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false),
                    "the abandoned run's process is stopped on its instance");
            assertEquals("ABANDONED", env.rows().all("long").get(0).state(), "the record stays as the others saw it");
            assertTrue(app.output().contains("was marked ended while it ran here"), "said in the log");
        } finally {
            Files.deleteIfExists(pidFile);
        }
    }

    @Test
    void aContinuousJobLeftWithoutARunIsRestarted(TestInfo test) throws Exception {
        TestDatabase env = env(test);
        String config = "jobs.forever.type=test-sleep\njobs.forever.mode=continuous\njobs.forever.restart-delay=200ms\n"
                + "jobs.forever.input={\"sleep_ms\":600000}\n";
        try (AppProcess app = AppProcess.start(env.vars(), config).awaitReady(Duration.ofSeconds(60))) {
            RunRows.Row first = env.rows().await("forever", Duration.ofSeconds(10), "the run",
                    r -> count(r, "RUNNING") == 1).get(0);
            // what an instance dying between abandoning a run and queueing its restart leaves: no run at all
            abandonBehindItsBack(env, first.id());
            List<RunRows.Row> rows = env.rows().await("forever", Duration.ofSeconds(10), "a restart",
                    r -> r.size() == 2 && "RUNNING".equals(r.get(1).state()));
            assertEquals("restart", rows.get(1).trigger(), rows.toString());
            assertEquals(202, app.api("POST", "/api/runs/" + rows.get(1).id() + "/stop", null, TOKEN).statusCode(),
                    "stopped by an operator");
            env.rows().await("forever", Duration.ofSeconds(10), "the stop", r -> count(r, "CANCELLED") == 1);
            Thread.sleep(3000); // several upkeep passes (lease 3 s: every second)
            assertEquals(2, env.rows().all("forever").size(), "a job stopped on purpose stays stopped");
        }
    }

    @Test
    void resumingAPausedContinuousJobStartsItAgain(TestInfo test) throws Exception {
        TestDatabase env = env(test);
        String config = "jobs.loop.type=test-sleep\njobs.loop.mode=continuous\njobs.loop.restart-delay=200ms\n"
                + "jobs.loop.input={\"sleep_ms\":500}\n";
        try (AppProcess app = AppProcess.start(env.vars(), config).awaitReady(Duration.ofSeconds(60))) {
            env.rows().await("loop", Duration.ofSeconds(10), "a first run", r -> count(r, "SUCCEEDED") >= 1);
            assertEquals(200, app.api("POST", "/api/jobs/loop/pause", null, TOKEN).statusCode());
            List<RunRows.Row> atPause = env.rows().await("loop", Duration.ofSeconds(10), "the run in flight to end",
                    r -> count(r, "RUNNING") + count(r, "PENDING") == 0);
            Thread.sleep(1500);
            assertEquals(atPause.size(), env.rows().all("loop").size(), "no restart while paused");

            assertEquals(200, app.api("POST", "/api/jobs/loop/resume", null, TOKEN).statusCode());
            List<RunRows.Row> after = env.rows().await("loop", Duration.ofSeconds(10), "runs after the resume",
                    r -> r.size() >= atPause.size() + 2);
            assertEquals("restart", after.get(atPause.size()).trigger(), after.toString());
        }
    }

    /** Marks the run ABANDONED and frees its job as another instance's upkeep would, unknown to its own instance. */
    private static void abandonBehindItsBack(TestDatabase env, long runId) throws Exception {
        try (Connection c = PostgresServer.shared().connect(env.database()); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE runs SET state = 'ABANDONED', reason = 'lease expired', finished_at = now(), "
                    + "lease_until = NULL, job_lock = NULL, queue_lock = NULL WHERE id = " + runId);
        }
    }
}
