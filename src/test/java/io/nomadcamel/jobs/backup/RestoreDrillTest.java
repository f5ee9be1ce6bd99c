package io.nomadcamel.jobs.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.scheduler.RunContextAccess;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The restore drill against a real PostgreSQL and a real S3 (S3Proxy): after a backup of databases with awkward
 * names, written to while it ran, each dump restores into a scratch database and matches the row counts of its
 * snapshot; a corrupt or truncated dump fails the run naming its database; no scratch database is ever left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreDrillTest {

    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    @RegisterExtension
    static final S3ProxyServer S3 = new S3ProxyServer();
    private static BackupRig rig;
    private static JsonNode backup;

    @BeforeAll
    static void backUpWhileRowsAreInserted() throws Exception {
        BackupDatabases.create(PG, BackupDatabases.AWKWARD);
        S3.createBucket("backups");
        rig = new BackupRig(PG, S3, "backups").start();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong inserted = new AtomicLong();
        // every pg_dump starts 1 s after its snapshot was exported, while the writer keeps inserting
        rig.wrappers.dumpDelay(1);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                Map<String, Connection> connections = new HashMap<>();
                for (String db : BackupDatabases.AWKWARD.keySet()) {
                    connections.put(db, PG.connect(db));
                }
                while (writing.get()) {
                    for (Connection c : connections.values()) {
                        try (Statement s = c.createStatement()) {
                            s.execute("INSERT INTO items (label) VALUES ('during the backup')");
                            s.execute("INSERT INTO \"Odd Table\" VALUES (-1)");
                        }
                        inserted.incrementAndGet();
                    }
                    Thread.sleep(20);
                }
                for (Connection c : connections.values()) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            BackupRig.Outcome run = rig.backup(Map.of("dump_concurrency", 2));
            assertEquals("SUCCEEDED", run.state(), run.error() + "\n" + run.result().toPrettyString());
            backup = run.result();
        } finally {
            writing.set(false);
            rig.wrappers.dumpDelay(0);
        }
        writer.get(30, TimeUnit.SECONDS);
        assertTrue(inserted.get() > 20, "rows were inserted during the backup: " + inserted.get());
    }

    @AfterAll
    static void tearDown() {
        rig.close();
    }

    @AfterEach
    void noScratchDatabaseLeft() throws Exception {
        assertEquals(List.of(), BackupDatabases.scratchDatabases(PG));
        rig.wrappers.delay("pg_restore", 0);
    }

    @Test
    @Order(1)
    void theBackupRecordsEveryTablesRowsInTheDumpsSnapshot() throws Exception {
        boolean grewSince = false;
        for (JsonNode db : backup.path("postgres_databases")) {
            String name = db.path("database").asText();
            if (!BackupDatabases.AWKWARD.containsKey(name)) {
                continue;
            }
            JsonNode counts = db.path("table_counts");
            assertEquals(2, counts.size(), db.toString());
            Map<String, Long> now = BackupDatabases.rowCounts(PG, name);
            // the dump's counts are at most today's (rows only grow), and at least the rows created before the backup
            assertTrue(counts.path("public.items").asLong() >= BackupDatabases.AWKWARD.get(name), db.toString());
            assertTrue(counts.path("public.items").asLong() <= now.get("public.items"), db.toString());
            assertTrue(counts.has("public.\"Odd Table\""), db.toString());
            grewSince |= counts.path("public.items").asLong() < now.get("public.items");
        }
        assertTrue(grewSince, "rows were inserted after some dump's snapshot: " + backup.toPrettyString());
        // the manifest holds the same counts
        JsonNode manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Path.of(
                backup.path("manifest").asText()).toFile());
        int databases = 0;
        for (JsonNode a : manifest.path("artifacts")) {
            if ("database".equals(a.path("kind").asText())) {
                // as JSON text: the run's result holds longs, the manifest read back ints
                assertEquals(dumpOf(a.path("database").asText()).path("table_counts").toString(),
                        a.path("table_counts").toString(), a.toString());
                databases++;
            }
        }
        assertEquals(backup.path("postgres_databases").size(), databases, manifest.toString());
    }

    @Test
    @Order(2)
    void aDrillFromS3RestoresEveryDatabaseAndMatchesEveryTablesCountsAndListsWhatNoBackupCovers() throws Exception {
        PG.createDatabase("created after the backup");
        try {
            BackupRig.Outcome run = rig.drill(Map.of("concurrency", 2));

            assertEquals("SUCCEEDED", run.state(), run.error() + "\n" + run.result().toPrettyString());
            JsonNode r = run.result();
            assertEquals("s3", r.path("source").asText());
            List<String> drilled = new ArrayList<>();
            for (JsonNode db : r.path("databases")) {
                String name = db.path("database").asText();
                drilled.add(name);
                assertTrue(db.path("sha256_ok").asBoolean() && db.path("restored").asBoolean(), db.toString());
                assertEquals(0, db.path("mismatches").size(), db.toString());
                assertTrue(db.path("artifact").asText().startsWith("backups/postgres/"), db.toString());
                assertTrue(db.path("verified_at").isTextual(), db.toString());
                JsonNode recorded = recordedCounts(name);
                assertEquals(recorded.size(), db.path("tables").asInt(), db.toString());
                long rows = 0;
                for (JsonNode n : recorded) {
                    rows += n.asLong();
                }
                assertEquals(rows, db.path("rows_checked").asLong(), db.toString());
                assertTrue(rig.meters.find("ncj_backup_last_verified_timestamp_seconds").tag("database", name)
                        .gauge().value() > 0, name);
            }
            assertEquals(BackupDatabases.listed(PG).stream().filter(d -> !d.equals("created after the backup"))
                    .toList(), drilled.stream().sorted().toList(), "every database of the newest backup");
            assertEquals(List.of("created after the backup"), textList(r.path("not_covered")));
        } finally {
            PG.execute("postgres", "DROP DATABASE \"created after the backup\"");
        }
    }

    @Test
    @Order(3)
    void aDumpCorruptedInS3FailsTheRunNamingItsDatabaseAfterTheOthersWereDrilled() throws Exception {
        String victim = "it's \"quoted\"";
        String key = dumpOf(victim).path("s3_key").asText();
        try (S3Client s3 = S3.client()) {
            byte[] bytes = s3.getObjectAsBytes(g -> g.bucket("backups").key(key)).asByteArray();
            byte[] original = bytes.clone();
            bytes[bytes.length / 2] ^= 0x55;
            s3.putObject(p -> p.bucket("backups").key(key), RequestBody.fromBytes(bytes));
            try {
                BackupRig.Outcome run = rig.drill(Map.of("databases", List.of(victim, "app", "billing data")));

                assertEquals("FAILED", run.state());
                assertTrue(run.error().startsWith("restore drill failed: database \"" + victim + "\": SHA-256 of "
                        + key), run.error());
                for (JsonNode db : run.result().path("databases")) {
                    boolean bad = db.path("database").asText().equals(victim);
                    assertEquals(!bad, db.path("sha256_ok").asBoolean(), db.toString());
                    assertEquals(!bad, db.path("restored").asBoolean(), db.toString());
                }
                assertEquals(3, run.result().path("databases").size());
            } finally {
                s3.putObject(p -> p.bucket("backups").key(key), RequestBody.fromBytes(original));
            }
        }
    }

    @Test
    @Order(4)
    void aDumpTruncatedLocallyFailsTheRunNamingItsDatabase() throws Exception {
        String victim = "données ünicode ☃";
        Path file = Path.of(dumpOf(victim).path("local_path").asText());
        byte[] original = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(original, original.length / 2));
        try {
            BackupRig.Outcome run = rig.drill(Map.of("source", "local"));

            assertEquals("FAILED", run.state());
            assertTrue(run.error().startsWith("restore drill failed: database \"" + victim + "\": SHA-256 of "
                    + file), run.error());
            assertEquals(1, run.error().split("database \"").length - 1, "only the truncated one: " + run.error());
        } finally {
            Files.write(file, original);
        }
    }

    @Test
    @Order(5)
    void stoppingADrillKillsPgRestoreAndDropsTheScratchDatabase() throws Exception {
        rig.wrappers.delay("pg_restore", 60);
        CompletableFuture<BackupRig.Outcome> outcome = CompletableFuture.supplyAsync(() -> rig.drill(
                Map.of("databases", List.of("billing data"))));
        long deadline = System.currentTimeMillis() + 30_000;
        while (BackupDatabases.scratchDatabases(PG).isEmpty() || !pgRestoreRunning()) {
            assertTrue(System.currentTimeMillis() < deadline, "the drill never started pg_restore");
            Thread.sleep(50);
        }

        RunContextAccess.stop(rig.current(), "timed out after 6h");
        BackupRig.Outcome run = outcome.get(30, TimeUnit.SECONDS);

        assertEquals("CANCELLED", run.state());
        assertFalse(pgRestoreRunning(), "pg_restore (and its wrapper) killed");
        assertEquals(List.of(), BackupDatabases.scratchDatabases(PG));
    }

    @Test
    @Order(6)
    void aScratchDatabaseACrashedDrillLeftIsDroppedByTheNextDrill() throws Exception {
        PG.createDatabase("ncj_drill_41_1");
        PG.createDatabase("ncj_drill_old"); // an operator's, not a scratch name: neither dropped nor in the way
        try {
            BackupRig.Outcome run = rig.drill(Map.of("databases", List.of("app")));

            assertEquals("SUCCEEDED", run.state(), run.error());
            assertEquals(List.of("ncj_drill_41_1"), textList(run.result().path("stale_scratch_dropped")));
            assertEquals(List.of("ncj_drill_old"), BackupDatabases.scratchDatabases(PG));
            // an operator's database the newest backup did not dump; a scratch database is never "not covered"
            assertEquals(List.of("ncj_drill_old"), textList(run.result().path("not_covered")));
        } finally {
            PG.execute("postgres", "DROP DATABASE IF EXISTS ncj_drill_old");
        }
    }

    @Test
    @Order(7)
    void aBadInputFailsTheRunNamingTheFieldAndCreatesNothing() throws Exception {
        BackupRig.Outcome run = rig.drill(Map.of("source", "ftp"));

        assertEquals("FAILED", run.state());
        assertTrue(run.error().contains("source must be one of s3, local"), run.error());
    }

    private static boolean pgRestoreRunning() {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("")
                .contains(rig.wrappers.dir().resolve("pg_restore").toString()) || p.info().commandLine().orElse("")
                .contains("dbname='ncj_drill_"));
    }

    private static JsonNode dumpOf(String database) {
        for (JsonNode db : backup.path("postgres_databases")) {
            if (db.path("database").asText().equals(database)) {
                return db;
            }
        }
        throw new AssertionError("no dump of " + database + " in " + backup);
    }

    private static JsonNode recordedCounts(String database) {
        return dumpOf(database).path("table_counts");
    }

    private static List<String> textList(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }
}
