package io.nomadcamel.jobs.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import io.nomadcamel.jobs.maintenance.IntentStore.Intent;
import io.nomadcamel.jobs.store.Database;
import io.nomadcamel.jobs.store.Sql;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The intents table (V5 migration) on both databases: an intent is open until closed, one instance at a time holds
 * the right to compensate it, and the gauge's count sees only open intents whose scale-back failed.
 */
class IntentStoreTest {

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void intentsAreClaimedByOneInstanceAtATimeAndCountedWhileTheirScaleBackFails(String vendor) throws Exception {
        Path dir = TempDirs.create("intents");
        try (HikariDataSource dataSource = database(vendor, "intents_test", dir)) {
            IntentStore store = new IntentStore(new Sql(dataSource));
            Instant now = Instant.parse("2026-11-22T02:00:00Z");

            Intent intent = store.open(42, "registry-gc", "a", "registry", "registry", 1, "node-1", "10.0.0.11", now);
            assertTrue(intent.open());
            assertNull(intent.commandMarker());
            assertTrue(store.setCommandMarker(intent.id(), NodeCommands.marker(intent.id(), 42)));
            assertEquals(NodeCommands.marker(intent.id(), 42), store.find(intent.id()).orElseThrow().commandMarker());
            assertEquals(List.of(intent.id()), store.open().stream().map(Intent::id).toList());

            IntentStore.GroupBusyException busy = assertThrows(IntentStore.GroupBusyException.class,
                    () -> store.open(43, "registry-gc", "b", "registry", "registry", 1, "node-1", "10.0.0.11", now));
            assertTrue(busy.getMessage().startsWith("another maintenance of registry/registry is open (intent "
                    + intent.id() + " of run 42"), busy.getMessage());
            assertEquals(List.of(intent.id()), store.open().stream().map(Intent::id).toList(), "nothing written");
            Intent otherGroup = store.open(44, "registry-gc", "b", "registry", "mirror", 1, "node-2", "10.0.0.12",
                    now);
            assertEquals(intent.id(), store.openFor("registry", "registry").orElseThrow().id());
            assertTrue(store.close(otherGroup.id(), "scaled back", now));

            Instant until = now.plus(Duration.ofMinutes(10));
            assertTrue(store.claim(intent.id(), "b", now, until), "unclaimed: anyone may take it");
            assertFalse(store.setCommandMarker(intent.id(), "late"), "recovery holds it: the command must not start");
            assertFalse(store.claim(intent.id(), "c", now.plusSeconds(60), until), "b holds it");
            assertTrue(store.claim(intent.id(), "b", now.plusSeconds(60), until.plusSeconds(60)), "b renews");
            assertTrue(store.claim(intent.id(), "c", until.plusSeconds(61), until.plusSeconds(600)), "b's claim ran out");
            store.release(intent.id(), "c");
            assertTrue(store.claim(intent.id(), "b", now, until), "released: taken at once");

            assertEquals(0, store.failedOpen("registry", "registry"));
            store.recordFailure(intent.id(), "Nomad POST /v1/job/registry/scale answered 503");
            store.recordFailure(intent.id(), "again");
            assertEquals(1, store.failedOpen("registry", "registry"));
            assertEquals(0, store.failedOpen("registry", "other-group"));
            Intent failed = store.find(intent.id()).orElseThrow();
            assertEquals(2, failed.attempts());
            assertEquals("again", failed.lastError());

            assertTrue(store.close(intent.id(), "scaled back to 1 by recovery on instance b", now.plusSeconds(5)));
            assertFalse(store.close(intent.id(), "twice", now.plusSeconds(6)), "closed once");
            assertEquals(0, store.failedOpen("registry", "registry"));
            assertEquals(List.of(), store.open());
            assertFalse(store.claim(intent.id(), "b", now.plusSeconds(7), until), "a closed intent is nobody's");
            assertEquals("scaled back to 1 by recovery on instance b", store.find(intent.id()).orElseThrow().outcome());
            assertEquals(java.util.Optional.empty(), store.openFor("registry", "registry"));
            assertTrue(store.open(45, "registry-gc", "a", "registry", "registry", 1, "node-1", "10.0.0.11", now)
                    .open(), "the group is free again once its intent is closed");
        } finally {
            TempDirs.delete(dir);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anIntentRecordsItsContainerAndIsFoundByItsRunWhileOpen(String vendor) throws Exception {
        Path dir = TempDirs.create("intents");
        try (HikariDataSource dataSource = database(vendor, "intents_container_test", dir)) {
            IntentStore store = new IntentStore(new Sql(dataSource));
            Instant now = Instant.parse("2026-11-22T02:00:00Z");
            Intent intent = store.open(7, "registry-gc", "a", "registry", "registry", 1, "node-1", "10.0.0.11", now);
            assertNull(intent.containerName());
            assertEquals(intent.id(), store.openForRun(7).orElseThrow().id());
            assertEquals(java.util.Optional.empty(), store.openForRun(8), "another run's intent is not its own");

            String container = MaintenanceRequest.containerName(intent.id());
            assertTrue(store.setCommand(intent.id(), NodeCommands.marker(intent.id(), 7), container));
            assertEquals(container, store.openForRun(7).orElseThrow().containerName());
            assertEquals("ncj-maint-" + intent.id(), container);

            assertTrue(store.close(intent.id(), "scaled back", now));
            assertEquals(java.util.Optional.empty(), store.openForRun(7), "closed: nothing left to scale back");
            assertEquals(container, store.find(intent.id()).orElseThrow().containerName(), "kept for the record");
        } finally {
            TempDirs.delete(dir);
        }
    }

    /** The application's database, migrated: embedded H2 in {@code dir}, or a fresh PostgreSQL database. */
    private static HikariDataSource database(String vendor, String name, Path dir) throws Exception {
        Database.Config config = vendor.equals("h2")
                ? new Database.Config(null, null, null, dir, 2)
                : new Database.Config(PostgresServer.shared().createDatabase(name), PostgresServer.shared().user(),
                        null, dir, 2);
        return Database.open(config);
    }
}
