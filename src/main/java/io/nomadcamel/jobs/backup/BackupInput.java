package io.nomadcamel.jobs.backup;

import java.util.Map;

/**
 * A backup run's input, with the original workers' JSON names: {@code local_days} (7), {@code s3_days} (30),
 * {@code dump_concurrency} (4). Its rules and defaults are {@link BackupJobType#INPUT}'s; a bad value fails the run
 * with a message naming the field.
 */
public record BackupInput(int localDays, int s3Days, int dumpConcurrency) {

    /** The most databases dumped at once; the dump threads are sized for it. */
    public static final int MAX_DUMP_CONCURRENCY = 64;

    public static BackupInput from(Map<String, Object> input) {
        Map<String, Object> in = BackupJobType.INPUT.check(input);
        return new BackupInput((int) in.get("local_days"), (int) in.get("s3_days"), (int) in.get("dump_concurrency"));
    }
}
