package io.nomadcamel.jobs.trivy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.nomadcamel.jobs.process.ProcessFailedException;
import io.nomadcamel.jobs.process.ProcessRunner;
import io.nomadcamel.jobs.scheduler.RunContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scans one image with the Trivy CLI in client mode:
 * {@code trivy image --server <addr> --format json --timeout 10m --scanners vuln <image>}. The report goes to a temp
 * file (never into memory whole) and is parsed from there. Transient failures are retried with backoff; whatever
 * happens, the answer is a {@link ScanOutcome}, never an exception, except when the run is stopped.
 */
public final class ImageScanner {

    private static final Logger LOG = LoggerFactory.getLogger(ImageScanner.class);
    /** Trivy enforces --timeout itself; ours is the backstop for a Trivy that hangs. */
    private static final Duration KILL_MARGIN = Duration.ofMinutes(1);

    private final TrivySettings settings;
    private final TrivyReportParser parser = new TrivyReportParser();

    public ImageScanner(TrivySettings settings) {
        this.settings = settings;
    }

    public List<String> command(String image) {
        return List.of(settings.bin(), "image", "--server", settings.serverAddr(), "--format", "json", "--timeout",
                settings.trivyTimeout(), "--scanners", "vuln", image);
    }

    public ScanOutcome scan(String image, RunContext run) {
        if (image.isBlank() || image.startsWith("-")) {
            // it would be read as a flag; Nomad would not have pulled it either
            return ScanOutcome.failed(image, ScanStatus.ERROR, "not an image reference: '" + image + "'", 0);
        }
        int attempt = 0;
        while (true) {
            attempt++;
            run.checkNotStopped();
            Attempt result = once(image, run);
            if (result.outcome != null) {
                return withAttempts(result.outcome, attempt);
            }
            if (result.kind == FailureClassifier.Kind.TRANSIENT && attempt <= settings.retries()) {
                Duration wait = settings.backoffBefore(attempt);
                LOG.info("Trivy scan of {} failed transiently (attempt {}), retrying in {}: {}", image, attempt,
                        wait, firstLine(result.message));
                sleep(wait, run);
                continue;
            }
            return switch (result.kind) {
                case PULL_FAILED -> ScanOutcome.failed(image, ScanStatus.PULL_FAILED, result.message, attempt);
                case TRANSIENT -> ScanOutcome.failed(image, ScanStatus.ERROR, "gave up after " + attempt
                        + " attempts: " + result.message, attempt);
                case ERROR -> ScanOutcome.failed(image, ScanStatus.ERROR, result.message, attempt);
            };
        }
    }

    /** One Trivy run: an outcome (report or parse failure), or a failure kind with its message. */
    private record Attempt(ScanOutcome outcome, FailureClassifier.Kind kind, String message) {
    }

    private Attempt once(String image, RunContext run) {
        Path report = tempFile();
        try {
            // Trivy's own TRIVY_* settings (cache dir, insecure registries) pass through; nothing else of ours does
            ProcessRunner.Result r = ProcessRunner.command(command(image)).env("TRIVY_TOKEN", settings.token())
                    .inheritEnv("TRIVY_").peer("trivy-server").stdoutTo(report).timeout(settings.timeout().plus(KILL_MARGIN)).in(run).run();
            if (r.exitCode() != 0) {
                return new Attempt(null, FailureClassifier.classify(r.stderr(), image),
                        FailureClassifier.message(r.stderr(), r.exitCode()));
            }
            try {
                return new Attempt(ScanOutcome.ok(image, parser.parse(report), 1), null, null);
            } catch (TrivyReportParser.ReportParseException e) {
                return new Attempt(ScanOutcome.failed(image, ScanStatus.PARSE_FAILED, e.getMessage(), 1), null, null);
            }
        } catch (ProcessFailedException e) {
            // did not start (TRIVY_BIN wrong: not worth retrying) or outlived its timeout (transient)
            boolean timedOut = e.stderr().startsWith("timed out");
            String message = timedOut ? e.getMessage() : e.getMessage() + " (check TRIVY_BIN)";
            return new Attempt(null, timedOut ? FailureClassifier.Kind.TRANSIENT : FailureClassifier.Kind.ERROR,
                    message);
        } catch (IOException e) {
            return new Attempt(null, FailureClassifier.Kind.ERROR, "could not read Trivy's report: " + e.getMessage());
        } finally {
            deleteQuietly(report);
        }
    }

    private static ScanOutcome withAttempts(ScanOutcome o, int attempts) {
        return new ScanOutcome(o.image(), o.status(), o.report(), o.error(), attempts, o.scannedAt());
    }

    /** Waits before a retry; a stopped run ends the wait (the split's threads are not the run's, so we poll). */
    private static void sleep(Duration wait, RunContext run) {
        long end = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < end) {
            run.checkNotStopped();
            try {
                Thread.sleep(Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunContext.RunStoppedException("interrupted");
            }
        }
    }

    private static Path tempFile() {
        try {
            return Files.createTempFile("trivy-report-", ".json");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp file for Trivy's report", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temp file is harmless; the scan's outcome matters more
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
