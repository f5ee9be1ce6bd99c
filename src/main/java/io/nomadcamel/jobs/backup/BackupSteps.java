package io.nomadcamel.jobs.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.scheduler.RunContext;
import org.apache.camel.Body;
import org.apache.camel.CamelContext;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup run as a whole: its plan (input, settings, timestamp, temp folder, S3 connection), the record of
 * failed legs, the hand-over to retention, the result, and the clean-up that runs on every exit.
 */
public class BackupSteps {

    private static final Logger LOG = LoggerFactory.getLogger(BackupSteps.class);

    private final CamelContext camel;
    private final Supplier<Settings> settings;
    private final BackupMetrics metrics;

    BackupSteps(CamelContext camel, Supplier<Settings> settings, BackupMetrics metrics) {
        this.camel = camel;
        this.settings = settings;
        this.metrics = metrics;
    }

    /** Reads the input and the settings (a bad one fails the run here, before any work) and prepares the run. */
    public BackupRun plan(@Body Map<String, Object> input, @ExchangeProperty(RunContext.PROPERTY) RunContext run)
            throws IOException {
        BackupInput parsed = BackupInput.from(input == null ? Map.of() : input);
        BackupSettings s = BackupSettings.from(settings.get());
        Files.createDirectories(s.backupDir());
        String ts = freshTimestamp(s.backupDir());
        Path temp = Files.createDirectories(s.backupDir().resolve(".tmp").resolve("run-" + run.runId() + "-" + ts));
        S3Storage storage = run.track(new S3Storage(camel, s.s3(), s.partSizeBytes(), metrics));
        BackupRun backup = new BackupRun(run, s, parsed, ts, temp, storage);
        LOG.info("backup run {} starting: {}", run.runId(), s);
        backup.publish();
        return backup;
    }

    /**
     * The run's timestamp; if a run of the same second already wrote backups (a trigger right after a quick run),
     * the next second, so that no run overwrites another's files.
     */
    private static String freshTimestamp(Path dir) throws IOException {
        while (true) {
            String ts = BackupLayout.timestamp(Instant.now());
            boolean taken = false;
            for (BackupLayout.Kind kind : BackupLayout.Kind.values()) {
                taken |= kind != BackupLayout.Kind.DATABASE && Files.exists(dir.resolve(BackupLayout.localFolder(
                        kind, null)).resolve(BackupLayout.fileName(kind, null, ts, null)));
            }
            Path temp = dir.resolve(".tmp");
            if (!taken && Files.isDirectory(temp)) {
                try (Stream<Path> runs = Files.list(temp)) {
                    taken = runs.anyMatch(p -> p.getFileName().toString().endsWith("-" + ts));
                }
            }
            if (!taken) {
                return ts;
            }
            try {
                Thread.sleep(1000 - System.currentTimeMillis() % 1000 + 5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for a fresh backup timestamp", e);
            }
        }
    }

    /** A leg (or the globals) failed: recorded; the other legs go on and the run fails at the end. */
    public void failed(BackupRun backup, String what, Throwable e) {
        String message = Failures.message(e);
        LOG.warn("backup run {}: {} failed: {}", backup.run().runId(), what, message);
        backup.failed(what, message);
    }

    /** Bound by annotations, not by a simple expression, which reads a database named "null" as null. */
    public void databaseFailed(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup,
            @ExchangeProperty("database") String database,
            @ExchangeProperty(org.apache.camel.Exchange.EXCEPTION_CAUGHT) Throwable e) {
        String message = Failures.message(e);
        LOG.warn("backup run {}: database \"{}\" failed: {}", backup.run().runId(), database, message);
        backup.databaseFailed(database, message);
    }

    public boolean allLegsSucceeded(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup) {
        return backup.succeeded();
    }

    /** The retention route's input: this run's retention periods, deleting for real. */
    public Map<String, Object> retentionInput(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("local_days", backup.input().localDays());
        input.put("s3_days", backup.input().s3Days());
        return input;
    }

    /** Keeps retention's result in the run's, and its warnings among the run's warnings. */
    @SuppressWarnings("unchecked")
    public void retentionDone(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup, @Body Object result) {
        Map<String, Object> r = result instanceof Map<?, ?> m ? (Map<String, Object>) m
                : Map.of("value", String.valueOf(result));
        backup.retention(r);
        if (r.get("warnings") instanceof java.util.List<?> warnings) {
            warnings.forEach(w -> backup.warn(String.valueOf(w)));
        }
    }

    /** Retention after a good backup failed: the backups are fine, so a warning, not a failed run. */
    public void retentionFailed(BackupRun backup, Throwable e) {
        backup.run().checkNotStopped();
        metrics.retentionFailed("backup");
        backup.warn("retention failed: " + Failures.message(e));
    }

    /** The run's result; throws (failing the run, its partial result kept) if any leg or database failed. */
    public Map<String, Object> finish(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup) {
        backup.run().checkNotStopped();
        backup.publish();
        Map<String, String> errors = backup.errors();
        if (!errors.isEmpty()) {
            StringBuilder m = new StringBuilder("backup failed: ");
            errors.forEach((what, why) -> m.append(what).append(": ").append(why).append("; "));
            throw new BackupFailedException(m.substring(0, m.length() - 2));
        }
        backup.run().progress("done: " + backup.keptArtifacts().size() + " backups written"
                + (backup.result().get("warnings") instanceof java.util.List<?> w && !w.isEmpty()
                        ? ", " + w.size() + " warnings" : ""));
        return backup.result();
    }

    /** Runs on every exit: the temp folder goes (nothing partial is left), the S3 connection closes. */
    public void cleanUp(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup) {
        if (backup == null) {
            return;
        }
        backup.run().untrack(backup.storage());
        backup.storage().close();
        deleteTree(backup.tempDir());
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("could not delete {}: {}", p, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.warn("could not clean {}: {}", dir, e.getMessage());
        }
    }

    /** Some leg or database failed; the message names each one and why. */
    public static final class BackupFailedException extends RuntimeException {
        public BackupFailedException(String message) {
            super(message);
        }
    }
}
