package io.nomadcamel.jobs.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The backup-retention route: exactly the expired backups go, locally and in S3, never the newest of a series. */
class RetentionRouteTest {

    @RegisterExtension
    static final S3ProxyServer S3 = new S3ProxyServer();
    private static BackupRig rig;
    private static final Instant NOW = Instant.now();

    @BeforeAll
    static void setUp() {
        S3.createBucket("retention");
        rig = new BackupRig(PostgresServer.shared(), S3, "retention").start();
    }

    @AfterAll
    static void tearDown() {
        rig.close();
    }

    @Test
    void localBackupsOlderThanLocalDaysGoExceptTheNewestOfEachSeriesAndAnythingElse() throws Exception {
        Map<String, Integer> files = new LinkedHashMap<>(); // path -> age in days
        files.put("nomad-snapshots/nomad-20250101000000.snap", 10);
        files.put("nomad-snapshots/nomad-20250103000000.snap", 8);
        files.put("nomad-snapshots/nomad-20250110000000.snap", 1);
        files.put("consul-snapshots/consul-20240101000000.snap", 20); // the only one: kept however old
        files.put("postgres-backups/postgres-globals-20250101000000.sql.gz", 9);
        files.put("postgres-backups/postgres-globals-20250102000000.sql.gz", 8);
        files.put("postgres-backups/app/postgres-app-20241201000000.dump", 30);
        files.put("postgres-backups/app/postgres-app-20250101000000.sql.gz", 10); // older format, same series
        files.put("postgres-backups/app/postgres-app-20250108000000.dump", 2);
        files.put("postgres-backups/gone/postgres-gone-20240101000000.dump", 400); // a dropped database
        files.put("postgres-backups/gone/postgres-gone-20240102000000.dump", 399);
        files.put("manifests/manifest-20250101000000.json", 10);
        files.put("manifests/manifest-20250110000000.json", 1);
        // not backups: never touched
        files.put("postgres-backups/README.txt", 100);
        files.put("nomad-snapshots/nomad-manual.snap", 100);
        files.put("postgres-backups/app/notes-20240101000000.dump", 100);
        files.put("elsewhere/nomad-20200101000000.snap", 100);
        files.forEach((path, days) -> write(rig.backupDir.resolve(path), days));
        Path staleTemp = rig.backupDir.resolve(".tmp/run-7-20240101000000");
        write(staleTemp.resolve("nomad-snapshots__nomad-20240101000000.snap"), 3);
        Files.setLastModifiedTime(staleTemp, FileTime.from(NOW.minus(Duration.ofDays(3))));
        // a run of another instance dumping for days: its folder is old, its file is being written
        Path longDump = rig.backupDir.resolve(".tmp/run-8-20240101000000");
        write(longDump.resolve("postgres-big.dump"), 0);
        Files.setLastModifiedTime(longDump, FileTime.from(NOW.minus(Duration.ofDays(3))));
        List<String> expired = List.of("manifests/manifest-20250101000000.json",
                "nomad-snapshots/nomad-20250101000000.snap", "nomad-snapshots/nomad-20250103000000.snap",
                "postgres-backups/app/postgres-app-20241201000000.dump",
                "postgres-backups/app/postgres-app-20250101000000.sql.gz",
                "postgres-backups/gone/postgres-gone-20240101000000.dump",
                "postgres-backups/postgres-globals-20250101000000.sql.gz");

        BackupRig.Outcome dry = rig.retention(Map.of("local_days", 7, "s3_days", 30, "dry_run", true));

        assertEquals("SUCCEEDED", dry.state(), dry.error());
        assertEquals(expired, strings(dry.result().path("local_would_delete")));
        assertTrue(dry.result().path("local_deleted").isMissingNode());
        files.keySet().forEach(p -> assertTrue(Files.exists(rig.backupDir.resolve(p)), "dry run deletes nothing"));

        BackupRig.Outcome run = rig.retention(Map.of("local_days", 7, "s3_days", 30));

        assertEquals("SUCCEEDED", run.state(), run.error());
        assertEquals(expired, strings(run.result().path("local_deleted")));
        for (String path : files.keySet()) {
            assertEquals(!expired.contains(path), Files.exists(rig.backupDir.resolve(path)), path);
        }
        assertEquals(List.of(".tmp/run-7-20240101000000"), strings(run.result().path("local_stale_temp_deleted")));
        assertTrue(Files.notExists(staleTemp));
        assertTrue(Files.exists(longDump.resolve("postgres-big.dump")), "a temp folder still written is in use");
        assertEquals((double) expired.size(), rig.counter("ncj_backup_retention_deleted_total", "where", "local"));
    }

    @Test
    void s3ObjectsOlderThanS3DaysGoOverEveryPageOfTheListingExceptTheNewestOfEachSeries() throws Exception {
        Map<String, Integer> objects = new LinkedHashMap<>(); // key -> age in days
        Instant day = Instant.parse("2022-01-01T00:00:00Z");
        for (int i = 0; i < 1050; i++) { // over a thousand: the listing has two pages
            objects.put("backups/postgres/big/postgres-big-" + BackupLayout.timestamp(day.plus(Duration.ofDays(i)))
                    + ".dump", 1050 - i);
        }
        for (int i = 0; i < 40; i++) {
            objects.put("backups/nomad/nomad-" + BackupLayout.timestamp(day.plus(Duration.ofDays(i))) + ".snap",
                    45 - i);
        }
        objects.put("backups/consul/consul-20220101000000.snap", 900); // the only one of its series
        objects.put("backups/postgres/postgres-globals-20220101000000.sql.gz", 60);
        objects.put("backups/postgres/postgres-globals-20220102000000.sql.gz", 59); // newest globals, kept
        objects.put("backups/readme.txt", 900);
        objects.put("backups/nomad/nomad-latest.snap", 900);
        objects.put("elsewhere/nomad-20220101000000.snap", 900);
        try (S3Client s3 = S3.client()) {
            // through the S3 API (S3Proxy keeps metadata beside its files), then aged by the file's mtime, which
            // S3Proxy reports as LastModified
            objects.keySet().parallelStream().forEach(key -> s3.putObject(p -> p.bucket("retention").key(key),
                    RequestBody.fromString("backup " + key)));
        }
        objects.forEach((key, days) -> age(S3.dataDir().resolve("retention").resolve(key), days));
        TreeSet<String> expired = new TreeSet<>();
        objects.forEach((key, days) -> {
            boolean backup = key.startsWith("backups/postgres/big/") || key.matches("backups/nomad/nomad-\\d+\\.snap")
                    || key.equals("backups/postgres/postgres-globals-20220101000000.sql.gz");
            // aged 30 days at NOW, so a little over 30 days when retention runs: expired
            if (backup && days >= 30) {
                expired.add(key);
            }
        });
        assertTrue(expired.size() > 1000, "more than one DeleteObjects batch: " + expired.size());

        BackupRig.Outcome dry = rig.retention(Map.of("local_days", 7, "s3_days", 30, "dry_run", true));
        assertEquals("SUCCEEDED", dry.state(), dry.error());
        assertEquals("[]", dry.result().path("warnings").toString());
        assertEquals(objects.size(), keys().size(), "S3 lists every object");
        assertSameKeys(expired, strings(dry.result().path("s3_would_delete")));
        assertEquals(objects.size(), keys().size(), "a dry run deletes nothing");

        BackupRig.Outcome run = rig.retention(Map.of("local_days", 7, "s3_days", 30));

        assertEquals("SUCCEEDED", run.state(), run.error());
        assertEquals(0, run.result().path("warnings").size(), run.result().toString());
        assertSameKeys(expired, strings(run.result().path("s3_deleted")));
        assertEquals(new ArrayList<>(expired), strings(run.result().path("s3_deleted")), "sorted");
        TreeSet<String> left = new TreeSet<>(objects.keySet());
        left.removeAll(expired);
        assertSameKeys(left, keys());
        assertTrue(left.contains("backups/consul/consul-20220101000000.snap"));
        assertTrue(left.contains("backups/postgres/postgres-globals-20220102000000.sql.gz"));
    }

    /** Compares as sets, printing only the difference: the lists are over a thousand keys long. */
    private static void assertSameKeys(java.util.Collection<String> expected, java.util.Collection<String> actual) {
        TreeSet<String> missing = new TreeSet<>(expected);
        missing.removeAll(actual);
        TreeSet<String> extra = new TreeSet<>(actual);
        extra.removeAll(expected);
        assertTrue(missing.isEmpty() && extra.isEmpty() && expected.size() == actual.size(), "missing " + missing
                + ", unexpected " + extra + ", sizes " + expected.size() + " / " + actual.size());
    }

    private static List<String> keys() {
        try (S3Client s3 = S3.client()) {
            return s3.listObjectsV2Paginator(l -> l.bucket("retention")).contents().stream().map(S3Object::key)
                    .toList();
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static void write(Path file, int ageDays) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "backup " + file.getFileName());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        age(file, ageDays);
    }

    private static void age(Path file, int ageDays) {
        try {
            Files.setLastModifiedTime(file, FileTime.from(NOW.minus(Duration.ofDays(ageDays))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
