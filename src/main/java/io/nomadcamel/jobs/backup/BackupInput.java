package io.nomadcamel.jobs.backup;

import java.util.Map;
import java.util.Set;

/**
 * A backup run's input, with the original workers' JSON names: {@code local_days} (7), {@code s3_days} (30),
 * {@code dump_concurrency} (4). A bad value fails the run with a message naming the field.
 */
public record BackupInput(int localDays, int s3Days, int dumpConcurrency) {

    /** The most databases dumped at once; the dump threads are sized for it. */
    public static final int MAX_DUMP_CONCURRENCY = 32;

    private static final Set<String> FIELDS = Set.of("local_days", "s3_days", "dump_concurrency");

    public static BackupInput from(Map<String, Object> input) {
        Inputs.requireOnly(input, FIELDS);
        return new BackupInput(
                Inputs.wholeNumber(input, "local_days", 7, 0, 100_000),
                Inputs.wholeNumber(input, "s3_days", 30, 0, 100_000),
                Inputs.wholeNumber(input, "dump_concurrency", 4, 1, MAX_DUMP_CONCURRENCY));
    }
}
