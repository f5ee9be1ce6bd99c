package io.nomadcamel.jobs.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

class BackupInputTest {

    @Test
    void defaultsAreTheOriginalWorkersAndValuesAreRead() {
        assertEquals(new BackupInput(7, 30, 4), BackupInput.from(Map.of()));
        assertEquals(new BackupInput(1, 2, 8), BackupInput.from(Map.of("local_days", 1, "s3_days", 2L,
                "dump_concurrency", 8.0)));
    }

    @Test
    void aBadValueNamesItsField() {
        assertEquals("backup input: dump_concurrency must be a whole number from 1 to 64, got 65",
                message(Map.of("dump_concurrency", 65)));
        assertEquals("backup input: local_days must be a whole number from 0 to 100000, got \"7\"",
                message(Map.of("local_days", "7")));
        assertEquals("backup input: s3_days must be a whole number from 0 to 100000, got 1.5",
                message(Map.of("s3_days", 1.5)));
        assertEquals("backup input: dry_run is not a field (fields: local_days, s3_days, dump_concurrency)",
                message(Map.of("dry_run", true)));
    }

    private static String message(Map<String, Object> input) {
        return assertThrows(IllegalArgumentException.class, () -> BackupInput.from(input)).getMessage();
    }
}
