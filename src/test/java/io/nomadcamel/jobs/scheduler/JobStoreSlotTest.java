package io.nomadcamel.jobs.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.zaxxer.hikari.HikariDataSource;
import io.nomadcamel.jobs.store.Database;
import io.nomadcamel.jobs.store.Sql;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.Test;

/**
 * Taking a slot tells the taker which slot was taken before its own; the scheduler records the slots in between as
 * misfires. When instances (or a start-up catch-up and a Quartz fire) take slots at the same moment, each previous
 * slot must be one that was really taken, or a slot that ran would also be recorded as missed.
 */
class JobStoreSlotTest {

    @Test
    void concurrentTakersSeeOneChainOfSlotsOnPostgresql() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String url = pg.createDatabase("jobstore_slots");
        try (HikariDataSource ds = Database.open(new Database.Config(url, pg.user(), null, null, 8))) {
            assertOneChain(new JobStore(new Sql(ds)));
        }
    }

    @Test
    void concurrentTakersSeeOneChainOfSlotsOnH2() throws Exception {
        Path dir = TempDirs.create("jobstore-h2");
        try (HikariDataSource ds = Database.open(new Database.Config(null, null, null, dir, 8))) {
            assertOneChain(new JobStore(new Sql(ds)));
        } finally {
            TempDirs.delete(dir);
        }
    }

    private static void assertOneChain(JobStore store) throws Exception {
        Instant start = Instant.parse("2026-11-25T00:00:00Z");
        store.ensureState("chain", start);
        // every slot is offered twice, in an order where later slots often overtake earlier ones
        List<Instant> offers = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            offers.add(start.plusSeconds(i));
            offers.add(start.plusSeconds(i));
        }
        Collections.shuffle(offers, new java.util.Random(42));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        Map<Instant, Instant> previousOfTaken = new TreeMap<>();
        try {
            List<Future<Optional<Instant>>> results = new ArrayList<>();
            for (Instant slot : offers) {
                results.add(pool.submit(() -> store.takeSlot("chain", slot)));
            }
            for (int i = 0; i < offers.size(); i++) {
                Optional<Instant> previous = results.get(i).get();
                if (previous.isPresent()) {
                    Instant before = previousOfTaken.put(offers.get(i), previous.get());
                    assertEquals(null, before, "slot " + offers.get(i) + " was taken twice");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(previousOfTaken.size() >= 2, "several slots were taken: " + previousOfTaken);
        Instant expectedPrevious = start;
        for (Map.Entry<Instant, Instant> taken : previousOfTaken.entrySet()) {
            assertEquals(expectedPrevious, taken.getValue(), "the slot taken before " + taken.getKey());
            expectedPrevious = taken.getKey();
        }
        assertEquals(Optional.of(expectedPrevious), store.lastSlot("chain"));
        assertEquals(Optional.empty(), store.takeSlot("chain", expectedPrevious), "a taken slot is refused");
        assertEquals(Optional.empty(), store.takeSlot("gone", start.plusSeconds(500)), "a job with no state");
    }
}
