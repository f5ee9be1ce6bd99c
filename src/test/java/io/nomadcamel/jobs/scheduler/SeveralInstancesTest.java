package io.nomadcamel.jobs.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import org.junit.jupiter.api.Test;

/**
 * Two instances on one PostgreSQL (design §3): no slot runs twice, an instance hosts only its
 * {@code worker.job-types}, and a SIGKILLed instance's run becomes ABANDONED within the lease while the other
 * instance carries on.
 */
class SeveralInstancesTest {

    private static final String TOKEN = "instances-token";
    private static final Duration LEASE = Duration.ofSeconds(3);

    @Test
    void noSlotRunsTwiceAndADeadInstancesRunIsAbandonedWithinTheLease() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String url = pg.createDatabase("several_instances");
        RunRows rows = new RunRows(pg, "several_instances");
        Path pidFile = Files.createTempFile("ncj-hold-", ".pid");
        String config = "jobs.tick.type=test-sleep\njobs.tick.every=1s\njobs.tick.input={\"sleep_ms\":200}\n"
                + "jobs.hold.type=test-process\njobs.hold.timeout=5m\n"
                + "jobs.hold.input={\"seconds\":600,\"pid_file\":\"" + pidFile + "\"}\n";
        Map<String, String> common = Map.of("DB_URL", url, "DB_USER", pg.user(), "API_TOKEN", TOKEN,
                "SCHEDULER_LEASE", LEASE.toSeconds() + "s", "SCHEDULER_POLL_INTERVAL", "200ms",
                "SCHEDULER_CLUSTER_CHECKIN", "1s");
        Map<String, String> envA = new HashMap<>(common);
        envA.put("SCHEDULER_INSTANCE_ID", "instance-a");
        Map<String, String> envB = new HashMap<>(common);
        envB.put("SCHEDULER_INSTANCE_ID", "instance-b");
        envB.put("WORKER_JOB_TYPES", "test-sleep");
        Instant start = Instant.now();
        try (AppProcess a = AppProcess.start(envA, config).awaitReady(Duration.ofSeconds(60));
                AppProcess b = AppProcess.start(envB, config).awaitReady(Duration.ofSeconds(60))) {
            Thread.sleep(5_000);
            // triggered on b, which does not host test-process: a must claim it
            assertEquals(202, b.api("POST", "/api/jobs/hold/runs", null, TOKEN).statusCode());
            RunRows.Row hold = rows.await("hold", Duration.ofSeconds(10), "hold running on a",
                    r -> r.size() == 1 && "RUNNING".equals(r.get(0).state())).get(0);
            assertEquals("instance-a", hold.instance(), "only a hosts test-process");
            Thread.sleep(8_000);

            a.kill();
            Instant killed = Instant.now();
            RunRows.Row abandoned = rows.await("hold", LEASE.plusSeconds(5), "the dead instance's run abandoned",
                    r -> "ABANDONED".equals(r.get(0).state())).get(0);
            Duration detection = Duration.between(killed, abandoned.finishedAt());
            assertTrue(detection.compareTo(LEASE.plusSeconds(2)) <= 0,
                    "abandoned " + detection.toMillis() + " ms after the kill; lease " + LEASE);

            // Quartz frees a dead instance's acquired trigger after cluster-checkin + 7.5 s; slots in that gap
            // are recorded as misfires, then b fires them all
            Instant end = start.plusSeconds(30).isAfter(killed.plusSeconds(18)) ? start.plusSeconds(30)
                    : killed.plusSeconds(18);
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), end).toMillis()));
            List<RunRows.Row> ticks = rows.all("tick");
            Map<Instant, Long> perSlot = ticks.stream()
                    .collect(Collectors.groupingBy(RunRows.Row::slotAt, Collectors.counting()));
            perSlot.forEach((slot, n) -> assertEquals(1L, n, "slot " + slot + " recorded " + n + " times"));
            assertTrue(ticks.size() >= 20, "a slot a second for ~30 s: " + ticks.size());
            assertTrue(ticks.stream().allMatch(r -> r.ran() || "misfire".equals(r.reason())
                    || "overlap".equals(r.reason())), "a slot that did not run says why: " + ticks);
            List<RunRows.Row> afterKill = ticks.stream()
                    .filter(r -> r.slotAt().isAfter(killed.plusSeconds(LEASE.toSeconds() + 2)) && r.ran()).toList();
            assertTrue(afterKill.size() >= 5, "b carries on after a is killed: " + afterKill);
            assertTrue(afterKill.stream().allMatch(r -> "instance-b".equals(r.instance())), afterKill.toString());
            assertTrue(ticks.stream().filter(RunRows.Row::ran).allMatch(r -> r.finishedAt() != null
                    || r.slotAt().isAfter(Instant.now().minusSeconds(2))), "every tick ended: " + ticks);
        } finally {
            // the SIGKILLed JVM could not stop its child; this test's own cleanup does
            if (Files.size(pidFile) > 0) {
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
                        .ifPresent(ProcessHandle::destroyForcibly);
            }
            Files.deleteIfExists(pidFile);
        }
    }
}
