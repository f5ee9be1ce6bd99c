package io.nomadcamel.jobs.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.s3.QuotaErrors;
import io.nomadcamel.jobs.s3.S3Clients;
import io.nomadcamel.jobs.s3.S3Settings;
import io.nomadcamel.jobs.scheduler.RunContext;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/**
 * The backup-retention job: local backup files older than {@code local_days} (by mtime) and S3 objects older than
 * {@code s3_days} (by LastModified, every page of the listing) are deleted, never the newest of a series, never a
 * file that is not a backup. {@code dry_run} lists what would go. An unreachable S3 is a warning, as for uploads.
 */
public class RetentionSteps {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionSteps.class);
    /** A run's temp folder older than this is a crashed run's leftover. */
    private static final Duration STALE_TEMP = Duration.ofDays(1);
    private static final int DELETE_BATCH = 1000;

    private final Supplier<Settings> settings;
    private final BackupMetrics metrics;

    RetentionSteps(Supplier<Settings> settings, BackupMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    public RetentionRun plan(@Body Map<String, Object> input, @ExchangeProperty(RunContext.PROPERTY) RunContext run) {
        Map<String, Object> in = RetentionJobType.INPUT.check(input);
        int localDays = (int) in.get("local_days");
        int s3Days = (int) in.get("s3_days");
        boolean dryRun = (boolean) in.get("dry_run");
        Settings s = settings.get();
        Path dir = Path.of(s.string("backup.dir", "backups")).toAbsolutePath();
        return new RetentionRun(run, dir, S3Settings.from(s), localDays, s3Days, dryRun, Instant.now());
    }

    public void local(@ExchangeProperty(RetentionRun.PROPERTY) RetentionRun retention) throws IOException {
        retention.run().progress("retention: local backups older than " + retention.localDays() + " days");
        List<RetentionPolicy.Entry> entries = new ArrayList<>();
        if (Files.isDirectory(retention.dir())) {
            try (Stream<Path> files = Files.walk(retention.dir(), 3)) {
                for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    String relative = retention.dir().relativize(p).toString().replace('\\', '/');
                    BackupLayout.ofLocalPath(relative).ifPresent(f -> entries.add(new RetentionPolicy.Entry(
                            f.series(), relative, lastModified(p))));
                }
            }
        }
        List<String> deleted = new ArrayList<>();
        for (RetentionPolicy.Entry e : RetentionPolicy.expired(entries, retention.cutoff(retention.localDays()))) {
            retention.run().checkNotStopped();
            if (!retention.dryRun()) {
                try {
                    Files.deleteIfExists(retention.dir().resolve(e.id()));
                } catch (IOException failed) {
                    retention.warn("could not delete " + e.id() + ": " + Failures.message(failed));
                    continue;
                }
            }
            deleted.add(e.id());
        }
        retention.localDeleted(deleted);
        if (!retention.dryRun()) {
            metrics.retentionDeleted("local", deleted.size());
            retention.staleTempDeleted(deleteStaleTemp(retention));
        }
    }

    /**
     * Run temp folders left by a crashed instance (a finished run removes its own): stale when nothing in them was
     * written for a day. The newest file counts, not the folder: a dump that runs for more than a day writes its file
     * all along while the folder's own time stays at its creation.
     */
    private static List<String> deleteStaleTemp(RetentionRun retention) throws IOException {
        Path temp = retention.dir().resolve(".tmp");
        List<String> deleted = new ArrayList<>();
        if (!Files.isDirectory(temp)) {
            return deleted;
        }
        Instant staleBefore = retention.now().minus(STALE_TEMP);
        try (Stream<Path> runs = Files.list(temp)) {
            for (Path p : runs.filter(Files::isDirectory).toList()) {
                if (p.getFileName().toString().startsWith("run-") && newestIn(p).isBefore(staleBefore)) {
                    BackupSteps.deleteTree(p);
                    deleted.add(retention.dir().relativize(p).toString());
                }
            }
        }
        return deleted;
    }

    public void s3(@ExchangeProperty(RetentionRun.PROPERTY) RetentionRun retention) {
        RunContext run = retention.run();
        run.progress("retention: S3 backups older than " + retention.s3Days() + " days");
        S3Settings s3Settings = retention.s3();
        try (S3Client s3 = run.track(S3Clients.create(s3Settings))) {
            List<RetentionPolicy.Entry> entries = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket(s3Settings.bucket()).prefix(BackupLayout.S3_ROOT)).contents()
                    .forEach(o -> BackupLayout.ofS3Key(o.key()).ifPresent(f -> entries.add(
                            new RetentionPolicy.Entry(f.series(), o.key(), o.lastModified()))));
            run.progress("retention: " + entries.size() + " backups in S3");
            List<String> expired = RetentionPolicy.expired(entries, retention.cutoff(retention.s3Days())).stream()
                    .map(RetentionPolicy.Entry::id).toList();
            List<String> deleted = retention.dryRun() ? expired : delete(s3, s3Settings.bucket(), expired, retention);
            retention.s3Deleted(deleted);
            if (!retention.dryRun()) {
                metrics.retentionDeleted("s3", deleted.size());
            }
            run.untrack(s3);
        } catch (SdkException | IllegalStateException e) {
            run.checkNotStopped();
            LOG.warn("S3 retention did not complete: {}", QuotaErrors.describe(e));
            metrics.retentionFailed("s3");
            retention.warn("S3 retention did not complete: " + QuotaErrors.describe(e));
        }
    }

    private static List<String> delete(S3Client s3, String bucket, List<String> keys, RetentionRun retention) {
        List<String> deleted = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += DELETE_BATCH) {
            retention.run().checkNotStopped();
            List<ObjectIdentifier> batch = keys.subList(from, Math.min(keys.size(), from + DELETE_BATCH)).stream()
                    .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
            DeleteObjectsResponse response = s3.deleteObjects(d -> d.bucket(bucket)
                    .delete(x -> x.objects(batch).quiet(false)));
            response.deleted().forEach(d -> deleted.add(d.key()));
            response.errors().forEach(e -> retention.warn("could not delete s3://" + bucket + "/" + e.key() + ": "
                    + e.code() + " " + e.message()));
            retention.run().progress("retention: deleted " + deleted.size() + "/" + keys.size() + " S3 objects");
        }
        deleted.sort(null);
        return deleted;
    }

    public Map<String, Object> result(@ExchangeProperty(RetentionRun.PROPERTY) RetentionRun retention) {
        return retention.result();
    }

    private static Instant newestIn(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.map(RetentionSteps::lastModified).max(Instant::compareTo).orElse(Instant.now());
        } catch (IOException | java.io.UncheckedIOException e) {
            return Instant.now(); // changing under us: in use, never delete on a guess
        }
    }

    private static Instant lastModified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.now(); // vanished or unreadable: treat as new, never delete on a guess
        }
    }
}
