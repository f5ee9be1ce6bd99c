package io.nomadcamel.jobs.scheduler;

import static io.nomadcamel.jobs.scheduler.RunRows.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.nomadcamel.jobs.testsupport.AppProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The four modes of design §3, each proven on a real PostgreSQL by what the runs table recorded. */
class SchedulerModesTest {

    private static final String TOKEN = "modes-token";

    private TestDatabase env(TestInfo test) {
        return TestDatabase.forTest(test, "modes", TOKEN, Map.of());
    }

    @Test
    void recurringSlotWhileTheRunIsActiveIsSkippedAsOverlap(TestInfo test) {
        TestDatabase env = env(test);
        String config = "jobs.slow.type=test-sleep\njobs.slow.every=1s\njobs.slow.input={\"sleep_ms\":2500}\n";
        try (AppProcess app = AppProcess.start(env.vars(), config).awaitReady(Duration.ofSeconds(60))) {
            List<RunRows.Row> rows = env.rows().await("slow", Duration.ofSeconds(20), "a finished run and overlaps",
                    r -> count(r, "SUCCEEDED") >= 1 && r.stream().filter(x -> "overlap".equals(x.reason())).count() >= 2);
            for (RunRows.Row skipped : rows.stream().filter(r -> r.state().equals("SKIPPED")).toList()) {
                assertEquals("overlap", skipped.reason());
                assertTrue(skipped.slotAt() != null && skipped.startedAt() == null, skipped.toString());
            }
            assertNoTwoRunsOverlap(rows);
        }
    }

    @Test
    void afterDowntimeOneMissedSlotRunsAndTheOthersAreRecordedAsMisfires(TestInfo test) throws Exception {
        TestDatabase env = env(test);
        String config = "jobs.tick.type=test-sleep\njobs.tick.every=2s\njobs.tick.input={\"sleep_ms\":10}\n";
        Instant down;
        try (AppProcess first = AppProcess.start(env.vars(), config).awaitReady(Duration.ofSeconds(60))) {
            env.rows().await("tick", Duration.ofSeconds(10), "a first scheduled run",
                    r -> count(r, "SUCCEEDED") >= 1);
            first.stop();
            down = Instant.now();
        }
        Thread.sleep(9_000); // four or five slots pass with no instance
        try (AppProcess second = AppProcess.start(env.vars(), config).awaitReady(Duration.ofSeconds(60))) {
            List<RunRows.Row> rows = env.rows().await("tick", Duration.ofSeconds(15), "rows of the restart",
                    r -> r.stream().anyMatch(x -> x.queuedAt().isAfter(down) && x.ran()));
            Instant lastBeforeDown = rows.stream().filter(r -> r.queuedAt().isBefore(down))
                    .map(RunRows.Row::slotAt).max(Instant::compareTo).orElseThrow();
            // the restarted instance records the whole downtime at once, when its scheduler starts
            Instant restart = rows.stream().filter(r -> r.queuedAt().isAfter(down))
                    .map(RunRows.Row::queuedAt).min(Instant::compareTo).orElseThrow();
            List<RunRows.Row> missed = rows.stream()
                    .filter(r -> r.slotAt().isAfter(lastBeforeDown) && !r.slotAt().isAfter(restart)).toList();
            assertTrue(missed.size() >= 4, "every missed slot is recorded: " + rows);
            List<RunRows.Row> ran = missed.stream().filter(RunRows.Row::ran).toList();
            assertEquals(1, ran.size(), "exactly one missed slot runs: " + rows);
            assertEquals(missed.get(missed.size() - 1).slotAt(), ran.get(0).slotAt(), "the newest missed slot runs");
            for (RunRows.Row r : missed.subList(0, missed.size() - 1)) {
                assertEquals("SKIPPED", r.state(), r.toString());
                assertEquals("misfire", r.reason(), r.toString());
            }
            assertEquals(rows.stream().map(RunRows.Row::slotAt).distinct().count(), rows.size(),
                    "one row per slot: " + rows);
        }
    }

    @Test
    void continuousRestartsAfterFailureWithGrowingDelayAndStopsOnRequest(TestInfo test) throws Exception {
        TestDatabase env = env(test);
        Map<String, String> vars = new java.util.HashMap<>(env.vars());
        vars.put("SCHEDULER_CONTINUOUS_BACKOFF", "300ms");
        String config = "jobs.flaky.type=test-fail\njobs.flaky.mode=continuous\n"
                + "jobs.forever.type=test-sleep\njobs.forever.mode=continuous\njobs.forever.restart-delay=200ms\n"
                + "jobs.forever.input={\"sleep_ms\":60000}\n";
        try (AppProcess app = AppProcess.start(vars, config).awaitReady(Duration.ofSeconds(60))) {
            List<RunRows.Row> rows = env.rows().await("flaky", Duration.ofSeconds(20), "four failed runs",
                    r -> count(r, "FAILED") >= 4);
            List<RunRows.Row> failed = rows.stream().filter(r -> r.state().equals("FAILED")).toList();
            assertEquals("startup", failed.get(0).trigger());
            long previousGap = 0;
            for (int i = 1; i < 4; i++) {
                assertEquals("restart", failed.get(i).trigger());
                long gap = Duration.between(failed.get(i - 1).finishedAt(), failed.get(i).startedAt()).toMillis();
                assertTrue(gap >= (300L << (i - 1)) - 50, "restart " + i + " waited " + gap + " ms: " + failed);
                assertTrue(gap > previousGap, "delays grow: " + failed);
                previousGap = gap;
            }

            RunRows.Row running = env.rows().await("forever", Duration.ofSeconds(10), "a running run",
                    r -> count(r, "RUNNING") == 1).stream().filter(r -> r.state().equals("RUNNING")).findFirst()
                    .orElseThrow();
            assertEquals(202, app.api("POST", "/api/runs/" + running.id() + "/stop", null, TOKEN).statusCode());
            env.rows().await("forever", Duration.ofSeconds(10), "the run cancelled", r -> count(r, "CANCELLED") == 1);
            Thread.sleep(1500);
            List<RunRows.Row> after = env.rows().all("forever");
            assertEquals(1, after.size(), "stop means stop: no restart: " + after);
        }
    }

    @Test
    void queuedRunsAreFifoAndNeverTwoAtOnceEvenWith200ConcurrentTriggers(TestInfo test) throws Exception {
        TestDatabase env = env(test);
        Path spans = Files.createTempFile("ncj-spans-", ".txt");
        String input = "{\"sleep_ms\":5,\"span_file\":\"" + spans + "\"}";
        String config = "jobs.q1.type=test-sleep\njobs.q1.mode=queued\njobs.q1.queue=cleanup\njobs.q1.timeout=1m\n"
                + "jobs.q1.input=" + input + "\n"
                + "jobs.q2.type=test-sleep\njobs.q2.mode=queued\njobs.q2.queue=cleanup\njobs.q2.timeout=1m\n"
                + "jobs.q2.input=" + input + "\n";
        try (AppProcess app = AppProcess.start(env.vars(), config).awaitReady(Duration.ofSeconds(60))) {
            ExecutorService clients = Executors.newFixedThreadPool(16);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String job = i % 2 == 0 ? "q1" : "q2";
                answers.add(clients.submit(() -> app.api("POST", "/api/jobs/" + job + "/runs", null, TOKEN)
                        .statusCode()));
            }
            for (Future<Integer> a : answers) {
                assertEquals(202, a.get());
            }
            clients.shutdown();
            env.rows().await("q1", Duration.ofSeconds(60), "q1 done", r -> count(r, "SUCCEEDED") == 100);
            env.rows().await("q2", Duration.ofSeconds(60), "q2 done", r -> count(r, "SUCCEEDED") == 100);
            List<long[]> work = new ArrayList<>();
            for (String line : Files.readAllLines(spans)) {
                String[] f = line.split(" ");
                work.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
            assertEquals(200, work.size(), "every run worked once");
            work.sort((a, b) -> Long.compare(a[1], b[1]));
            for (int i = 1; i < work.size(); i++) {
                assertTrue(work.get(i)[0] > work.get(i - 1)[0], "FIFO: run " + work.get(i)[0] + " worked after run "
                        + work.get(i - 1)[0]);
                assertTrue(work.get(i)[1] >= work.get(i - 1)[2], "run " + work.get(i)[0] + " started working "
                        + "before run " + work.get(i - 1)[0] + " of its queue had finished");
            }
        } finally {
            Files.deleteIfExists(spans);
        }
    }

    @Test
    void timeoutEndsTheRunAndKillsItsChildProcess(TestInfo test) throws Exception {
        TestDatabase env = env(test);
        Path pidFile = Files.createTempFile("ncj-timeout-", ".pid");
        String config = "jobs.stuck.type=test-process\njobs.stuck.timeout=2s\n"
                + "jobs.stuck.input={\"seconds\":600,\"pid_file\":\"" + pidFile + "\"}\n";
        try (AppProcess app = AppProcess.start(env.vars(), config).awaitReady(Duration.ofSeconds(60))) {
            assertEquals(202, app.api("POST", "/api/jobs/stuck/runs", null, TOKEN).statusCode());
            List<RunRows.Row> rows = env.rows().await("stuck", Duration.ofSeconds(15), "the timeout",
                    r -> count(r, "TIMED_OUT") == 1);
            RunRows.Row run = rows.get(0);
            long took = Duration.between(run.startedAt(), run.finishedAt()).toMillis();
            assertTrue(took >= 2000 && took < 6000, "ended by its 2s timeout, took " + took + " ms");
            assertTrue(run.error().contains("timed out"), run.error());
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            Thread.sleep(200);
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "the run's child process " + pid + " is gone");
        } finally {
            Files.deleteIfExists(pidFile);
        }
    }

    @Test
    void failedRunsAreRetriedUpToMaxAttemptsKeepingPartialResults(TestInfo test) throws Exception {
        TestDatabase env = env(test);
        Map<String, String> vars = new java.util.HashMap<>(env.vars());
        vars.put("SCHEDULER_RETRY_BACKOFF", "100ms");
        String config = "jobs.retry.type=test-fail\njobs.retry.max-attempts=3\n"
                + "jobs.retry.input={\"message\":\"disk on fire\"}\n";
        try (AppProcess app = AppProcess.start(vars, config).awaitReady(Duration.ofSeconds(60))) {
            assertEquals(202, app.api("POST", "/api/jobs/retry/runs", null, TOKEN).statusCode());
            List<RunRows.Row> rows = env.rows().await("retry", Duration.ofSeconds(15), "three attempts",
                    r -> count(r, "FAILED") == 3);
            Thread.sleep(800);
            rows = env.rows().all("retry");
            assertEquals(3, rows.size(), "no fourth attempt: " + rows);
            for (int i = 0; i < 3; i++) {
                assertEquals(i + 1, rows.get(i).attempt());
                assertEquals("api", rows.get(i).trigger());
                assertEquals("disk on fire", rows.get(i).error());
                assertTrue(rows.get(i).result().contains("\"done_before_failure\":1"), rows.get(i).result());
            }
        }
    }

    @Test
    void pausedScheduleStopsTakingSlotsUntilResumedAndOneShotRunsAtStartup(TestInfo test) throws Exception {
        TestDatabase env = env(test);
        String config = "jobs.beat.type=test-sleep\njobs.beat.every=1s\njobs.beat.input={\"sleep_ms\":1}\n"
                + "jobs.boot.type=test-sleep\njobs.boot.run-at-startup=true\n";
        try (AppProcess app = AppProcess.start(env.vars(), config).awaitReady(Duration.ofSeconds(60))) {
            List<RunRows.Row> boot = env.rows().await("boot", Duration.ofSeconds(10), "the start-up run",
                    r -> count(r, "SUCCEEDED") == 1);
            assertEquals("startup", boot.get(0).trigger());
            env.rows().await("beat", Duration.ofSeconds(10), "a beat", r -> count(r, "SUCCEEDED") >= 1);
            assertEquals(200, app.api("POST", "/api/jobs/beat/pause", null, TOKEN).statusCode());
            Thread.sleep(1200); // a slot may have been in flight when the pause landed
            int atPause = env.rows().all("beat").size();
            Instant pausedSince = Instant.now();
            Thread.sleep(3000);
            assertEquals(atPause, env.rows().all("beat").size(), "no slot taken while paused");
            assertTrue(AppProcess.get(app.url("/api/jobs/beat")).body().contains("\"paused\":true"));
            Instant resumedAt = Instant.now();
            assertEquals(200, app.api("POST", "/api/jobs/beat/resume", null, TOKEN).statusCode());
            env.rows().await("beat", Duration.ofSeconds(10), "beats after resume", r -> r.size() >= atPause + 2);
            List<RunRows.Row> duringPause = env.rows().all("beat").stream()
                    .filter(r -> r.slotAt().isAfter(pausedSince) && r.slotAt().isBefore(resumedAt)).toList();
            assertEquals(List.of(), duringPause, "the slots that passed while paused are not recorded as misfires");
            assertEquals(1, env.rows().all("boot").size(), "a one-shot runs once");
        }
    }

    private static void assertNoTwoRunsOverlap(List<RunRows.Row> rows) {
        List<RunRows.Row> ran = rows.stream().filter(RunRows.Row::ran).filter(r -> r.finishedAt() != null).toList();
        for (int i = 1; i < ran.size(); i++) {
            assertFalse(ran.get(i).startedAt().isBefore(ran.get(i - 1).finishedAt()),
                    "runs overlap: " + ran.get(i - 1) + " and " + ran.get(i));
        }
    }
}
