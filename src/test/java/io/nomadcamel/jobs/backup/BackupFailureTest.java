package io.nomadcamel.jobs.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.scheduler.RunContextAccess;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/** What a backup run does when parts of it fail: every other part still happens, and the result says what. */
class BackupFailureTest {

    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    @RegisterExtension
    static final S3ProxyServer S3 = new S3ProxyServer();
    private static BackupRig rig;

    @BeforeAll
    static void setUp() {
        BackupDatabases.create(PG, Map.of("one", 10, "two", 20, "locked db", 30));
        S3.createBucket("backups");
        rig = new BackupRig(PG, S3, "backups").start();
    }

    @AfterAll
    static void tearDown() {
        rig.close();
    }

    @BeforeEach
    void reset() {
        rig.clis.clearCalls();
        rig.clis.set("nomad", "down", null).set("nomad", "corrupt", null).set("consul", "token",
                BackupRig.CONSUL_TOKEN);
    }

    @Test
    void aDatabaseThatCannotBeDumpedFailsTheRunAfterEveryOtherWasDumpedAndUploaded() throws Exception {
        try (Connection lock = lockItems("locked db")) {
            BackupRig.Outcome run = rig.backup(Map.of("dump_concurrency", 1));

            assertEquals("FAILED", run.state());
            // pg_dump's --lock-wait-timeout is a statement timeout on its LOCK TABLE
            assertTrue(run.error().startsWith("backup failed: database \"locked db\": ")
                    && run.error().contains("canceling statement due to statement timeout"), run.error());
            JsonNode r = run.result();
            try (S3Client s3 = S3.client()) {
                for (JsonNode db : r.path("postgres_databases")) {
                    if (db.path("database").asText().equals("locked db")) {
                        assertTrue(db.path("error").asText().contains("LOCK TABLE public.items IN ACCESS SHARE MODE"),
                                db.toString());
                        assertTrue(db.path("local_path").isNull() && db.path("s3_key").isNull(), db.toString());
                        assertFalse(db.path("verified").asBoolean());
                    } else {
                        assertTrue(db.path("error").isNull(), db.toString());
                        assertTrue(Files.isRegularFile(Path.of(db.path("local_path").asText())), db.toString());
                        assertEquals(db.path("bytes").asLong(), s3.headObject(h -> h.bucket("backups")
                                .key(db.path("s3_key").asText())).contentLength(), db.toString());
                    }
                }
            }
            assertEquals(BackupDatabases.listed(PG).size(), r.path("postgres_databases").size());
            assertFalse(r.path("nomad_snapshot_s3_key").isNull(), "the other legs finished: " + r);
            assertFalse(r.path("manifest_s3_key").isNull(), "the manifest records what was done: " + r);
            assertTrue(r.path("retention").isMissingNode(), "no retention after a failed leg: " + r);
            assertFalse(Files.exists(rig.backupDir.resolve("postgres-backups/locked_db/postgres-locked_db-"
                    + r.path("timestamp").asText() + ".dump")), "no partial dump");
        }
    }

    @Test
    void aDumpWhoseFileAlreadyExistsIsNotKeptAndTheExistingBackupIsNotOverwritten() throws Exception {
        // a run of the same second already kept "one" (the run's timestamp only avoids seconds whose snapshots exist)
        java.time.Instant start = java.time.Instant.now();
        List<Path> existing = new java.util.ArrayList<>();
        for (int s = 0; s < 20; s++) {
            Path file = rig.backupDir.resolve("postgres-backups/one/postgres-one-"
                    + BackupLayout.timestamp(start.plusSeconds(s)) + ".dump");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "an earlier run's dump");
            existing.add(file);
        }
        try {
            BackupRig.Outcome run = rig.backup(Map.of());
            assertEquals("FAILED", run.state(), run.error());
            assertTrue(run.error().contains("already exists") && run.error().contains("postgres-one-"), run.error());
            for (Path file : existing) {
                assertEquals("an earlier run's dump", Files.readString(file), "not overwritten: " + file);
            }
        } finally {
            for (Path file : existing) {
                Files.deleteIfExists(file);
            }
        }
    }

    @Test
    void aDatabaseNamedNullThatFailsIsNamedInTheResult() throws Exception {
        BackupDatabases.create(PG, Map.of("null", 1));
        try (Connection lock = lockItems("null")) {
            BackupRig.Outcome run = rig.backup(Map.of());
            assertEquals("FAILED", run.state(), run.error());
            JsonNode entry = null;
            for (JsonNode db : run.result().path("postgres_databases")) {
                if (db.path("database").asText().equals("null")) {
                    entry = db;
                }
            }
            assertTrue(entry != null && entry.path("error").asText().contains("LOCK TABLE"), run.result().toString());
        } finally {
            PG.execute("postgres", "DROP DATABASE \"null\"");
        }
    }

    @Test
    void withS3DownTheRunSucceedsWithWarningsAndEveryArtifactIsKeptLocally() throws Exception {
        double failuresBefore = rig.counter("ncj_backup_upload_failures_total");
        S3.stopProcess();
        BackupRig.Outcome run;
        try {
            run = rig.backup(Map.of());
        } finally {
            S3.startProcess();
        }

        assertEquals("SUCCEEDED", run.state(), run.error());
        JsonNode r = run.result();
        int artifacts = 3 + r.path("postgres_databases").size() + 1;
        List<String> warnings = new java.util.ArrayList<>();
        r.path("warnings").forEach(w -> warnings.add(w.asText()));
        assertEquals(artifacts, warnings.stream().filter(w -> w.contains(" not uploaded to s3://backups/")).count(),
                warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("S3 retention did not complete")), warnings.toString());
        assertEquals(artifacts, rig.counter("ncj_backup_upload_failures_total") - failuresBefore);
        for (String field : List.of("nomad_snapshot", "consul_snapshot", "postgres_globals", "manifest")) {
            assertTrue(Files.isRegularFile(Path.of(r.path(field).asText())), field);
            assertTrue(r.path(field + "_s3_key").isNull(), field);
        }
        r.path("postgres_databases").forEach(db -> {
            assertTrue(Files.isRegularFile(Path.of(db.path("local_path").asText())), db.toString());
            assertTrue(db.path("s3_key").isNull() && db.path("verified").asBoolean(), db.toString());
        });
    }

    @Test
    void stoppingTheRunKillsPgDumpAndLeavesNoPartialFile() throws Exception {
        rig.setting("backup.postgres.lock-wait-timeout", null).start();
        try (Connection lock = lockItems("locked db")) {
            CompletableFuture<BackupRig.Outcome> outcome = CompletableFuture.supplyAsync(() -> rig.backup(Map.of()));
            awaitWaitingPgDump(true);

            RunContextAccess.stop(rig.current(), "stopped via API");
            BackupRig.Outcome run = outcome.get(30, TimeUnit.SECONDS);

            assertEquals("CANCELLED", run.state());
            assertEquals("stopped via API", run.error());
            assertFalse(ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("")
                    .contains("dbname='locked db'") || p.info().commandLine().orElse("")
                    .contains(rig.wrappers.dir().toString())), "no pg_dump (or its wrapper) left running");
            String ts = run.result().path("timestamp").asText();
            assertFalse(Files.exists(rig.backupDir.resolve("postgres-backups/locked_db/postgres-locked_db-" + ts
                    + ".dump")), "no dump of locked db");
            assertTrue(run.result().path("postgres_databases").toString().contains("run stopped"),
                    "the partial result says why locked db has no dump: " + run.result());
            try (Stream<Path> files = Files.walk(rig.backupDir)) {
                List<Path> partial = files.filter(p -> p.toString().contains(".partial")
                        || p.startsWith(rig.backupDir.resolve(".tmp")) && !p.equals(rig.backupDir.resolve(".tmp")))
                        .toList();
                assertEquals(List.of(), partial);
            }
            // a backend waiting for a lock would notice its client is gone only when it gets the lock: the run
            // ends it, while the lock is still held
            awaitWaitingPgDump(false);
        } finally {
            rig.setting("backup.postgres.lock-wait-timeout", "2s").start();
        }
    }

    @Test
    void stoppingTheRunKillsTheSnapshotCliMidWriteAndLeavesNoPartialSnapshot() throws Exception {
        rig.clis.set("consul", "delay_seconds", 60).set("consul", "state_bytes", 1_000_000);
        try {
            CompletableFuture<BackupRig.Outcome> outcome = CompletableFuture.supplyAsync(() -> rig.backup(Map.of()));
            Path unverified = awaitFile(rig.backupDir.resolve(".tmp"), ".snap.unverified");
            long pid = rig.clis.calls().stream().filter(c -> c.path("program").asText().equals("consul"))
                    .findFirst().orElseThrow().path("pid").asLong();

            RunContextAccess.stop(rig.current(), "timed out after 10m");
            BackupRig.Outcome run = outcome.get(30, TimeUnit.SECONDS);

            assertEquals("CANCELLED", run.state());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "consul killed");
            assertFalse(Files.exists(unverified));
            assertTrue(run.result().path("consul_snapshot").isNull());
            assertNoSnapshotFiles(run.result().path("timestamp").asText(), "consul-snapshots");
        } finally {
            rig.clis.set("consul", "delay_seconds", null).set("consul", "state_bytes", null);
        }
    }

    private static Path awaitFile(Path dir, String suffix) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    java.util.Optional<Path> found = files.filter(p -> p.toString().endsWith(suffix)).findFirst();
                    if (found.isPresent()) {
                        return found.get();
                    }
                } catch (java.io.UncheckedIOException e) {
                    // the other legs rename and delete their files while the walk reads the folder: look again
                    if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) {
                        throw e;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no *" + suffix + " under " + dir);
    }

    @Test
    void failedSnapshotLegsFailTheRunWithTheCliErrorsAfterThePostgresLegFinished() throws Exception {
        rig.clis.set("nomad", "down", true).set("consul", "token", "another-token");

        BackupRig.Outcome run = rig.backup(Map.of());

        assertEquals("FAILED", run.state());
        assertTrue(run.error().contains("nomad snapshot: ") && run.error().contains("Failed to get snapshot file: Get "
                + "\"http://127.0.0.1:4646/v1/operator/snapshot\": dial tcp 127.0.0.1:4646: connect: connection "
                + "refused"), run.error());
        assertTrue(run.error().contains("consul snapshot: ") && run.error().contains(
                "Error saving snapshot: Unexpected response code: 403 (ACL not found)"), run.error());
        JsonNode r = run.result();
        assertTrue(r.path("nomad_snapshot").isNull() && r.path("consul_snapshot").isNull(), r.toString());
        assertFalse(r.path("postgres_globals_s3_key").isNull(), r.toString());
        r.path("postgres_databases").forEach(db -> assertFalse(db.path("s3_key").isNull(), db.toString()));
        assertNoSnapshotFiles(r.path("timestamp").asText(), "nomad-snapshots", "consul-snapshots");
    }

    @Test
    void aSnapshotThatFailsItsChecksumIsNotKept() throws Exception {
        rig.clis.set("nomad", "corrupt", true);

        BackupRig.Outcome run = rig.backup(Map.of());

        assertEquals("FAILED", run.state());
        assertTrue(run.error().contains("nomad snapshot failed verification: the SHA-256 of state.bin does not "
                + "match SHA256SUMS"), run.error());
        assertTrue(run.result().path("nomad_snapshot").isNull());
        assertFalse(run.result().path("consul_snapshot_s3_key").isNull());
        try (Stream<Path> files = Files.list(rig.backupDir.resolve("nomad-snapshots"))) {
            String ts = run.result().path("timestamp").asText();
            assertFalse(files.anyMatch(p -> p.getFileName().toString().contains(ts)));
        } catch (java.nio.file.NoSuchFileException none) {
            // no nomad snapshot was ever kept
        }
    }

    @Test
    void aMissingSettingFailsTheRunNamingTheVariableBeforeAnyWork() {
        rig.setting("s3.bucket", null).start();
        try {
            BackupRig.Outcome run = rig.backup(Map.of());
            assertEquals("FAILED", run.state());
            assertEquals("Missing setting s3.bucket (environment variable S3_BUCKET)", run.error());
            assertEquals(List.of(), rig.clis.calls());

            BackupRig.Outcome badInput = rig.backup(Map.of("dump_concurrency", 0));
            assertEquals("backup input: dump_concurrency must be a whole number from 1 to 64, got 0",
                    badInput.error());
            BackupRig.Outcome typo = rig.backup(Map.of("local_dayz", 3));
            assertTrue(typo.error().startsWith("backup input: local_dayz is not a field"), typo.error());
        } finally {
            rig.setting("s3.bucket", "backups").start();
        }
    }

    @Test
    void withoutPgHostTheRoutesStartAndEachRunFailsNamingPgHost() {
        // the jdbc: step's DataSource reads the backed-up server's settings per connection, not at start-up
        rig.setting("pg.host", null).start();
        try {
            BackupRig.Outcome run = rig.backup(Map.of());
            assertEquals("FAILED", run.state());
            assertEquals("Missing setting pg.host (environment variable PG_HOST)", run.error());
            assertEquals(List.of(), rig.clis.calls());
        } finally {
            rig.setting("pg.host", "127.0.0.1").start();
        }
    }

    @Test
    void aRouteEditThatDropsThePgRestoreCheckFailsEveryCustomDumpInsteadOfKeepingItUnchecked() throws Exception {
        Path edited = Files.createTempDirectory("edited-routes");
        String route = Files.readString(Path.of("routes/backup.camel.yaml"));
        int from = route.indexOf("# a custom-format dump must list with pg_restore --list");
        int to = route.indexOf("method: listed}", from) + "method: listed}".length();
        assertTrue(from > 0 && to > from, "the check is in the route");
        Files.writeString(edited.resolve("backup.camel.yaml"), route.substring(0, route.lastIndexOf('\n', from))
                + route.substring(to));
        Files.copy(Path.of("routes/backup-retention.camel.yaml"), edited.resolve("backup-retention.camel.yaml"));
        rig.routesFrom(edited).start();
        try {
            BackupRig.Outcome run = rig.backup(Map.of());

            assertEquals("FAILED", run.state());
            JsonNode databases = run.result().path("postgres_databases");
            assertEquals(BackupDatabases.listed(PG).size(), databases.size());
            for (JsonNode db : databases) {
                assertTrue(db.path("error").asText().contains("failed verification: not checked with pg_restore"
                        + " --list"), db.toString());
                assertTrue(db.path("local_path").isNull(), "no unchecked dump kept: " + db);
            }
        } finally {
            rig.routesFrom(Path.of("routes")).start();
            Files.walk(edited).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void assertNoSnapshotFiles(String ts, String... folders) throws Exception {
        for (String folder : folders) {
            Path dir = rig.backupDir.resolve(folder);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    assertEquals(List.of(), files.filter(f -> f.toString().contains(ts)).toList());
                }
            }
        }
        try (Stream<Path> temp = Files.list(rig.backupDir.resolve(".tmp"))) {
            assertEquals(0, temp.count());
        }
    }

    /** Holds an ACCESS EXCLUSIVE lock on the database's items table until closed: pg_dump must wait for it. */
    private static Connection lockItems(String database) throws Exception {
        Connection c = PG.connect(database);
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
        }
        return c;
    }

    private static void awaitWaitingPgDump(boolean present) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            try (Connection c = PG.connect("postgres"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE "
                            + "'nomad-camel-jobs backup run %' AND datname = 'locked db'")) {
                rs.next();
                if ((rs.getInt(1) > 0) == present) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("pg_dump of locked db " + (present ? "never started" : "still connected"));
    }
}
