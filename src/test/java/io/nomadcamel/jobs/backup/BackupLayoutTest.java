package io.nomadcamel.jobs.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class BackupLayoutTest {

    @Test
    void safeNamesReplaceEveryCharacterOutsideTheSafeSetAndNeverPointAtAFolder() {
        assertEquals("app", BackupLayout.safeName("app"));
        assertEquals("my-db_2.0", BackupLayout.safeName("my-db_2.0"));
        assertEquals("billing_data", BackupLayout.safeName("billing data"));
        assertEquals("it_s__quoted_", BackupLayout.safeName("it's \"quoted\""));
        // one "_" per character, also outside the BMP
        assertEquals("donn_es", BackupLayout.safeName("données"));
        assertEquals("snow__", BackupLayout.safeName("snow☃\uD83D\uDE00"));
        assertEquals("a_b_c", BackupLayout.safeName("a/b\\c"));
        assertEquals("__", BackupLayout.safeName(".."));
        assertEquals("_", BackupLayout.safeName("."));
        assertEquals("..a", BackupLayout.safeName("..a"));
    }

    @Test
    void namesThatShareASafeNameGetAHashSoNoDumpOverwritesAnother() {
        Map<String, String> names = BackupLayout.safeNames(List.of("a b", "a_b", "a-b", "c d"));
        assertEquals("a_b", names.get("a_b"), "an already safe name keeps its name");
        assertTrue(names.get("a b").matches("a_b_[0-9a-f]{8}"), names.toString());
        assertEquals("a-b", names.get("a-b"));
        assertEquals("c_d", names.get("c d"), "no clash, no hash");
        assertEquals(names.size(), names.values().stream().distinct().count());
        assertNotEquals(BackupLayout.safeNames(List.of("x y", "x_y")).get("x y"),
                BackupLayout.safeNames(List.of("x?y", "x_y")).get("x?y"));
    }

    @Test
    void localPathsAndKeysFollowTheDesignLayout() {
        String ts = BackupLayout.timestamp(Instant.parse("2025-03-04T05:06:07Z"));
        assertEquals("20250304050607", ts);
        assertEquals("nomad-20250304050607.snap", BackupLayout.fileName(BackupLayout.Kind.NOMAD, null, ts, null));
        assertEquals("backups/nomad/nomad-" + ts + ".snap", BackupLayout.s3Key(BackupLayout.Kind.NOMAD, null,
                "nomad-" + ts + ".snap"));
        assertEquals("postgres-backups/app", BackupLayout.localFolder(BackupLayout.Kind.DATABASE, "app"));
        assertEquals("postgres-app-" + ts + ".dump", BackupLayout.fileName(BackupLayout.Kind.DATABASE, "app", ts,
                ".dump"));
        assertEquals("backups/postgres/app/postgres-app-" + ts + ".dump", BackupLayout.s3Key(
                BackupLayout.Kind.DATABASE, "app", "postgres-app-" + ts + ".dump"));
        assertEquals("backups/postgres/postgres-globals-" + ts + ".sql.gz", BackupLayout.s3Key(
                BackupLayout.Kind.GLOBALS, null, "postgres-globals-" + ts + ".sql.gz"));
    }

    @Test
    void onlyTheBackupsFilesAreRecognisedEachInItsSeries() {
        assertEquals(Optional.of(new BackupLayout.BackupFile(BackupLayout.Kind.NOMAD, "nomad", "20250101000000")),
                BackupLayout.ofLocalPath("nomad-snapshots/nomad-20250101000000.snap"));
        assertEquals("database:globals", BackupLayout.ofS3Key(
                "backups/postgres/globals/postgres-globals-20250101000000.dump").orElseThrow().series(),
                "a database named globals is a database, not the globals");
        assertEquals("globals", BackupLayout.ofS3Key("backups/postgres/postgres-globals-20250101000000.sql.gz")
                .orElseThrow().series());
        assertEquals("database:a-20250101000000", BackupLayout.ofLocalPath(
                "postgres-backups/a-20250101000000/postgres-a-20250101000000-20250102000000.sql.gz").orElseThrow()
                .series());
        assertEquals("manifest", BackupLayout.ofS3Key("backups/manifests/manifest-20250101000000.json")
                .orElseThrow().series());
        for (String other : List.of("nomad-snapshots/nomad-latest.snap", "nomad-snapshots/nomad-2025.snap",
                "consul-snapshots/nomad-20250101000000.snap", "postgres-backups/app/postgres-other-20250101000000"
                        + ".dump", "postgres-backups/app/postgres-app-20250101000000.tar",
                "postgres-backups/README.txt", ".tmp/run-1/nomad-20250101000000.snap",
                "elsewhere/nomad-snapshots/nomad-20250101000000.snap", "nomad-20250101000000.snap")) {
            assertEquals(Optional.empty(), BackupLayout.ofLocalPath(other), other);
        }
        assertEquals(Optional.empty(), BackupLayout.ofS3Key("other/nomad/nomad-20250101000000.snap"));
        assertEquals(Optional.empty(), BackupLayout.ofS3Key("backups/nomad-snapshots/nomad-20250101000000.snap"),
                "the local folder name is not an S3 folder");
    }
}
