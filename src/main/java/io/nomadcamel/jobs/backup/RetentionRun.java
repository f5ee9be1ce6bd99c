package io.nomadcamel.jobs.backup;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.nomadcamel.jobs.s3.S3Settings;
import io.nomadcamel.jobs.scheduler.RunContext;

/** One retention pass (exchange property {@value #PROPERTY}): its periods and what it deleted or would delete. */
public final class RetentionRun {

    public static final String PROPERTY = "retention";

    private final RunContext run;
    private final Path dir;
    private final S3Settings s3;
    private final int localDays;
    private final int s3Days;
    private final boolean dryRun;
    private final Instant now;
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private volatile List<String> localDeleted = List.of();
    private volatile List<String> s3Deleted = List.of();
    private volatile List<String> staleTemp = List.of();

    RetentionRun(RunContext run, Path dir, S3Settings s3, int localDays, int s3Days, boolean dryRun, Instant now) {
        this.run = run;
        this.dir = dir;
        this.s3 = s3;
        this.localDays = localDays;
        this.s3Days = s3Days;
        this.dryRun = dryRun;
        this.now = now;
    }

    RunContext run() {
        return run;
    }

    Path dir() {
        return dir;
    }

    S3Settings s3() {
        return s3;
    }

    int localDays() {
        return localDays;
    }

    int s3Days() {
        return s3Days;
    }

    boolean dryRun() {
        return dryRun;
    }

    Instant now() {
        return now;
    }

    Instant cutoff(int days) {
        return now.minus(Duration.ofDays(days));
    }

    void warn(String warning) {
        warnings.add(warning);
    }

    void localDeleted(List<String> paths) {
        localDeleted = List.copyOf(paths);
    }

    void s3Deleted(List<String> keys) {
        s3Deleted = List.copyOf(keys);
    }

    void staleTempDeleted(List<String> paths) {
        staleTemp = List.copyOf(paths);
    }

    Map<String, Object> result() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("dry_run", dryRun);
        r.put("local_days", localDays);
        r.put("s3_days", s3Days);
        r.put(dryRun ? "local_would_delete" : "local_deleted", localDeleted);
        r.put(dryRun ? "s3_would_delete" : "s3_deleted", s3Deleted);
        if (!staleTemp.isEmpty()) {
            r.put("local_stale_temp_deleted", staleTemp);
        }
        synchronized (warnings) {
            r.put("warnings", new ArrayList<>(warnings));
        }
        return r;
    }
}
