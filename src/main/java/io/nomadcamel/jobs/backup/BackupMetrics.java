package io.nomadcamel.jobs.backup;

import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

/**
 * The backup's figures for Prometheus: artifacts that did not reach S3 (a run then succeeds with warnings, and this
 * is what an alert watches), objects evicted on a full store, files and objects deleted by retention.
 */
final class BackupMetrics {

    private final Supplier<MeterRegistry> registry;
    private volatile MeterRegistry meters;
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> verifiedAt =
            new java.util.concurrent.ConcurrentHashMap<>();

    BackupMetrics(CamelContext camel) {
        this.registry = () -> io.nomadcamel.jobs.Meters.of(camel);
    }

    private MeterRegistry meters() {
        MeterRegistry m = meters;
        if (m == null) {
            m = registry.get();
            meters = m;
        }
        return m;
    }

    void uploaded(Artifact artifact) {
        if (artifact.bytes() > 0) {
            Counter.builder("ncj_backup_bytes_total")
                    .description("bytes of verified backup files that reached S3")
                    .tag("kind", artifact.kind().name().toLowerCase(java.util.Locale.ROOT))
                    .register(meters()).increment(artifact.bytes());
        }
    }

    void uploadFailed(Artifact artifact) {
        Counter.builder("ncj_backup_upload_failures_total")
                .description("backup files that did not reach S3 (the run succeeded with a warning)")
                .tag("kind", artifact.kind().name().toLowerCase(java.util.Locale.ROOT))
                .register(meters()).increment();
    }

    void evicted() {
        Counter.builder("ncj_backup_s3_evictions_total")
                .description("old backups deleted from S3 because the store answered that it was full")
                .register(meters()).increment();
    }

    void retentionDeleted(String where, int count) {
        Counter.builder("ncj_backup_retention_deleted_total")
                .description("backup files (local) and objects (s3) deleted by retention")
                .tag("where", where).register(meters()).increment(count);
    }

    /** A database's newest dump was restored and matched its row counts now ({@code time() - it} is its age). */
    void verified(String database, java.time.Instant at) {
        verifiedAt.computeIfAbsent(database, d -> {
            java.util.concurrent.atomic.AtomicLong value = new java.util.concurrent.atomic.AtomicLong();
            io.micrometer.core.instrument.Gauge.builder("ncj_backup_last_verified_timestamp_seconds", value,
                            java.util.concurrent.atomic.AtomicLong::get)
                    .description("when a restore drill last restored this database's newest dump and matched every "
                            + "table's row count (unix seconds)")
                    .tag("database", d).register(meters());
            return value;
        }).set(at.getEpochSecond());
    }

    void retentionFailed(String where) {
        Counter.builder("ncj_backup_retention_failures_total")
                .description("retention passes that could not complete (the run succeeded with a warning)")
                .tag("where", where).register(meters()).increment();
    }
}
