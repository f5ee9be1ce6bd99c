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
        assertEquals("..a", BackupLayout.safeName("..a"));
        assertSafe("billing_data", "billing data");
        assertSafe("it_s__quoted_", "it's \"quoted\"");
        // one "_" per character, also outside the BMP
        assertSafe("donn_es", "données");
        assertSafe("snow__", "snow☃\uD83D\uDE00");
        assertSafe("a_b_c", "a/b\\c");
        assertSafe("__", "..");
        assertSafe("_", ".");
    }

    private static void assertSafe(String sanitized, String database) {
        String safe = BackupLayout.safeName(database);
        assertTrue(safe.matches(java.util.regex.Pattern.quote(sanitized) + "_[0-9a-f]{8}"), database + " -> " + safe);
    }

    @Test
    void aDatabasesSafeNameIsTheSameWhateverOtherDatabasesExist() {
        Map<String, String> together = BackupLayout.safeNames(List.of("a b", "a_b", "a-b", "c d"));
        assertEquals("a_b", together.get("a_b"), "an already safe name keeps its name");
        assertEquals("a-b", together.get("a-b"));
        assertTrue(together.get("a b").matches("a_b_[0-9a-f]{8}"), together.toString());
        assertEquals(together.size(), together.values().stream().distinct().count(), "no two share a folder");
        // "a_b" dropped: "a b" stays where it was, so its series and a_b's last dump never mix
        assertEquals(together.get("a b"), BackupLayout.safeNames(List.of("a b", "c d")).get("a b"));
        assertEquals(together.get("c d"), BackupLayout.safeNames(List.of("c d")).get("c d"));
        assertNotEquals(BackupLayout.safeName("x y"), BackupLayout.safeName("x?y"));
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
