package io.nomadcamel.jobs.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.S3FaultProxy;
import io.nomadcamel.jobs.testsupport.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/** A full backup run against a real PostgreSQL with awkward database names, a real S3 and the fake CLIs. */
class BackupRouteTest {

    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    @RegisterExtension
    static final S3ProxyServer S3 = new S3ProxyServer();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DRILL_SCRATCH = "ncj_drill_12_1";
    private static final String LOOKALIKE = "ncj_drill_old";
    private static S3FaultProxy proxy;
    private static BackupRig rig;

    @BeforeAll
    static void setUp() {
        BackupDatabases.create(PG, BackupDatabases.AWKWARD);
        // a restore drill's scratch database (never dumped) and an operator's database that only looks like one
        PG.createDatabase(DRILL_SCRATCH);
        BackupDatabases.create(PG, Map.of(LOOKALIKE, 3));
        S3.createBucket("backups");
        proxy = S3FaultProxy.start(S3.endpoint());
        rig = new BackupRig(PG, S3, "backups").setting("s3.endpoint", proxy.endpoint().toString()).start();
    }

    @AfterAll
    static void tearDown() {
        rig.close();
        proxy.close();
    }

    @BeforeEach
    void clearLogs() {
        rig.clis.clearCalls();
        rig.wrappers.clear();
    }

    @Test
    void aFullRunWritesEveryArtifactLocallyAndToS3AndEachDumpRestoresWithTheSameRows() throws Exception {
        double bytesBefore = rig.counter("ncj_backup_bytes_total");
        BackupRig.Outcome run = rig.backup(Map.of("local_days", 7, "s3_days", 30, "dump_concurrency", 4));
        // this run's files carry its timestamp; other tests of the class may have left older backups beside them
        String stamp = run.result().path("timestamp").asText();
        long localBytes = 0;
        try (var files = java.nio.file.Files.walk(rig.backupDir)) {
            for (Path f : files.filter(java.nio.file.Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().contains(stamp)).toList()) {
                localBytes += java.nio.file.Files.size(f);
            }
        }
        assertTrue(localBytes > 0, "this run's files are found by their timestamp " + stamp);
        assertEquals((double) localBytes, rig.counter("ncj_backup_bytes_total") - bytesBefore,
                "every byte that reached S3 is counted, once");

        assertEquals("SUCCEEDED", run.state(), run.error() + "\n" + run.result().toPrettyString());
        JsonNode r = run.result();
        String ts = r.path("timestamp").asText();
        assertTrue(ts.matches("\\d{14}"), ts);
        assertEquals(0, r.path("warnings").size(), r.toPrettyString());
        assertEquals(0, r.path("errors").size(), r.toPrettyString());
        Path dir = rig.backupDir;
        try (S3Client s3 = S3.client()) {
            assertArtifact(s3, r, "nomad_snapshot", dir.resolve("nomad-snapshots/nomad-" + ts + ".snap"),
                    "backups/nomad/nomad-" + ts + ".snap");
            assertArtifact(s3, r, "consul_snapshot", dir.resolve("consul-snapshots/consul-" + ts + ".snap"),
                    "backups/consul/consul-" + ts + ".snap");
            assertArtifact(s3, r, "postgres_globals", dir.resolve("postgres-backups/postgres-globals-" + ts
                    + ".sql.gz"), "backups/postgres/postgres-globals-" + ts + ".sql.gz");
            SnapshotArchive.verify(Path.of(r.path("nomad_snapshot").asText()));
            SnapshotArchive.verify(Path.of(r.path("consul_snapshot").asText()));

            List<String> expected = BackupDatabases.listed(PG);
            List<String> dumped = new ArrayList<>();
            int restored = 0;
            for (JsonNode db : r.path("postgres_databases")) {
                String name = db.path("database").asText();
                dumped.add(name);
                String safe = BackupLayout.safeName(name);
                Path file = dir.resolve("postgres-backups/" + safe + "/postgres-" + safe + "-" + ts + ".dump");
                assertEquals(file.toString(), db.path("local_path").asText(), name);
                assertEquals("backups/postgres/" + safe + "/postgres-" + safe + "-" + ts + ".dump",
                        db.path("s3_key").asText(), name);
                assertTrue(db.path("verified").asBoolean(), name);
                assertTrue(db.path("error").isNull(), name);
                assertEquals(Files.size(file), db.path("bytes").asLong(), name);
                assertEquals(Checksums.sha256(file), db.path("sha256").asText(), name);
                assertEquals(db.path("sha256").asText(), sha256Of(s3, db.path("s3_key").asText()), name);
                if (BackupDatabases.AWKWARD.containsKey(name)) {
                    String copy = "restored_" + restored++;
                    BackupDatabases.restore(PG, file, copy);
                    assertEquals(BackupDatabases.rowCounts(PG, name), BackupDatabases.rowCounts(PG, copy), name);
                    assertEquals((long) BackupDatabases.AWKWARD.get(name),
                            BackupDatabases.rowCounts(PG, copy).get("public.items"), name);
                }
            }
            assertEquals(expected, dumped, "every database, ordered by name");
            assertTrue(dumped.contains(LOOKALIKE) && !dumped.contains(DRILL_SCRATCH), dumped.toString());
            assertEquals(BackupDatabases.AWKWARD.size(), restored);

            // the manifest lists every artifact and is the last upload of the run
            String manifestKey = "backups/manifests/manifest-" + ts + ".json";
            assertEquals(manifestKey, r.path("manifest_s3_key").asText());
            JsonNode manifest = JSON.readTree(s3.getObjectAsBytes(g -> g.bucket("backups").key(manifestKey))
                    .asByteArray());
            assertEquals(3 + expected.size(), manifest.path("artifacts").size(), manifest.toPrettyString());
            for (JsonNode a : manifest.path("artifacts")) {
                assertTrue(a.path("verified").asBoolean(), a.toString());
                assertEquals(Files.size(Path.of(a.path("path").asText())), a.path("bytes").asLong());
                assertEquals(sha256Of(s3, a.path("s3_key").asText()), a.path("sha256").asText());
            }
            List<String> puts = proxy.requests().stream().filter(q -> q.startsWith("PUT /backups/backups/"))
                    .toList();
            assertEquals("PUT /backups/" + manifestKey, puts.get(puts.size() - 1), puts.toString());
        }

        assertTrue(run.progress().contains("dumped " + r.path("postgres_databases").size() + "/"
                + r.path("postgres_databases").size() + " databases"), run.progress().toString());
        assertTrue(r.path("retention").path("local_deleted").isArray(), r.toPrettyString());
        // tokens reached the CLIs in their environment only; the password reached pg_* in theirs only
        List<JsonNode> calls = rig.clis.calls();
        assertEquals(List.of("nomad", "consul"), calls.stream().map(c -> c.path("program").asText()).sorted(
                java.util.Comparator.reverseOrder()).toList());
        for (JsonNode call : calls) {
            assertTrue(call.path("token_matches").asBoolean(), call.toString());
            assertFalse(call.path("argv").toString().contains("token"), call.toString());
        }
        assertTrue(rig.wrappers.spans().stream().allMatch(s -> s.exit() == 0), rig.wrappers.spans().toString());
        assertFalse(r.toString().contains(BackupRig.PG_PASSWORD) || r.toString().contains(BackupRig.NOMAD_TOKEN));
        try (Stream<Path> temp = Files.list(dir.resolve(".tmp"))) {
            assertEquals(0, temp.count(), "the run's temp folder is gone");
        }
    }

    @Test
    void atMostDumpConcurrencyPgDumpsRunAtOnceAndEveryDatabaseIsDumped() throws Exception {
        rig.wrappers.clear();
        rig.wrappers.dumpDelay(0.6);
        try {
            BackupRig.Outcome run = rig.backup(Map.of("dump_concurrency", 2));

            assertEquals("SUCCEEDED", run.state(), run.error());
            List<PgWrappers.Span> dumps = rig.wrappers.spans().stream().filter(x -> x.program().equals("pg_dump"))
                    .toList();
            assertEquals(BackupDatabases.listed(PG).size(), dumps.size());
            assertTrue(dumps.size() >= 5, "enough databases to saturate the limit: " + dumps.size());
            // observed from the processes' own start and end times, not from the application's bookkeeping
            assertEquals(2, rig.wrappers.maxConcurrent("pg_dump"), dumps.toString());
            assertTrue(run.result().path("postgres_dump_seconds").asDouble() >= dumps.size() / 2 * 0.6,
                    run.result().toString());
        } finally {
            rig.wrappers.dumpDelay(0);
        }
    }

    @Test
    void plainFormatWritesGzippedSqlThatRestoresWithPsql() throws Exception {
        rig.setting("backup.postgres.format", "plain").start();
        try {
            BackupRig.Outcome run = rig.backup(Map.of());

            assertEquals("SUCCEEDED", run.state(), run.error());
            String ts = run.result().path("timestamp").asText();
            JsonNode app = null;
            for (JsonNode db : run.result().path("postgres_databases")) {
                assertTrue(db.path("local_path").asText().endsWith("-" + ts + ".sql.gz"), db.toString());
                assertTrue(db.path("s3_key").asText().endsWith("-" + ts + ".sql.gz"), db.toString());
                assertTrue(db.path("verified").asBoolean(), db.toString());
                if (db.path("database").asText().equals("app")) {
                    app = db;
                }
            }
            assertNotNull(app);
            PG.createDatabase("restored_plain");
            Process psql = new ProcessBuilder(PG.binDir().resolve("psql").toString(), "--host=127.0.0.1",
                    "--port=" + PG.port(), "--username=" + PG.user(), "--dbname=restored_plain",
                    "--set=ON_ERROR_STOP=1", "--quiet", "--file=-").redirectErrorStream(true).start();
            try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(Path.of(
                    app.path("local_path").asText()))); var out = psql.getOutputStream()) {
                in.transferTo(out);
            }
            String output = new String(psql.getInputStream().readAllBytes());
            assertEquals(0, psql.waitFor(), output);
            assertEquals(BackupDatabases.rowCounts(PG, "app"), BackupDatabases.rowCounts(PG, "restored_plain"));
        } finally {
            rig.setting("backup.postgres.format", null).start();
        }
    }

    @Test
    void aFullStoreEvictsTheOldestBackupsOfTheFolderBeingWrittenAndKeepsTheNewestOfEachSeries() throws Exception {
        List<String> folders = new ArrayList<>(List.of("backups/nomad/nomad-", "backups/consul/consul-",
                "backups/postgres/postgres-globals-"));
        for (String db : BackupDatabases.listed(PG)) {
            String safe = BackupLayout.safeName(db);
            folders.add("backups/postgres/" + safe + "/postgres-" + safe + "-");
        }
        List<String> seeded = new ArrayList<>();
        try (S3Client s3 = S3.client()) {
            for (int day = 1; day <= 3; day++) {
                for (String folder : folders) {
                    String ext = folder.contains("/nomad/") || folder.contains("/consul/") ? ".snap"
                            : folder.contains("globals") ? ".sql.gz" : ".dump";
                    String key = folder + "2020010" + day + "000000" + ext;
                    s3.putObject(p -> p.bucket("backups").key(key),
                            software.amazon.awssdk.core.sync.RequestBody.fromString("old " + key));
                    seeded.add(key);
                    // S3Proxy's LastModified is its file's mtime: day 1 older than day 2 than day 3
                    Files.setLastModifiedTime(S3.dataDir().resolve("backups").resolve(key),
                            java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()
                                    - (4 - day) * 86_400_000L));
                }
            }
        }
        double evictionsBefore = rig.counter("ncj_backup_s3_evictions_total");
        proxy.failNextPuts(2, S3FaultProxy.Fault.insufficientStorage());

        BackupRig.Outcome run = rig.backup(Map.of("s3_days", 100_000));

        assertEquals("SUCCEEDED", run.state(), run.error());
        assertEquals(2, proxy.faultsServed());
        List<String> evicted = new ArrayList<>();
        run.result().path("s3_evicted").forEach(k -> evicted.add(k.asText()));
        assertEquals(2, evicted.size(), run.result().toPrettyString());
        assertEquals(2.0, rig.counter("ncj_backup_s3_evictions_total") - evictionsBefore);
        try (S3Client s3 = S3.client()) {
            for (String key : evicted) {
                assertTrue(seeded.contains(key), key);
                String series = key.replaceAll("2020010\\d000000\\..*$", "");
                // the oldest first: day 1, then (when one upload met both faults) day 2 of the same series
                assertTrue(key.contains("20200101000000") || evicted.stream().anyMatch(
                        k -> k.contains("20200101000000") && k.startsWith(series)), evicted.toString());
            }
            for (String key : seeded) {
                boolean exists = s3.listObjectsV2(l -> l.bucket("backups").prefix(key)).keyCount() == 1;
                assertEquals(!evicted.contains(key), exists, key);
                if (key.contains("20200103000000")) {
                    assertTrue(exists, "the newest old backup of a series is never evicted: " + key);
                }
            }
            // every artifact of the run still reached S3
            JsonNode r = run.result();
            for (String field : List.of("nomad_snapshot_s3_key", "consul_snapshot_s3_key",
                    "postgres_globals_s3_key", "manifest_s3_key")) {
                assertFalse(r.path(field).isNull(), field + " in " + r.toPrettyString());
            }
            r.path("postgres_databases").forEach(db -> assertFalse(db.path("s3_key").isNull(), db.toString()));
        }
    }

    private static void assertArtifact(S3Client s3, JsonNode r, String field, Path path, String key)
            throws Exception {
        assertEquals(path.toString(), r.path(field).asText(), field);
        assertEquals(key, r.path(field + "_s3_key").asText(), field);
        assertTrue(Files.isRegularFile(path), field);
        assertEquals(Checksums.sha256(path), sha256Of(s3, key), field);
    }

    static String sha256Of(S3Client s3, String key) {
        assertNotNull(key);
        byte[] bytes = s3.getObjectAsBytes(g -> g.bucket("backups").key(key)).asByteArray();
        return HexFormat.of().formatHex(Checksums.sha256().digest(bytes));
    }
}
