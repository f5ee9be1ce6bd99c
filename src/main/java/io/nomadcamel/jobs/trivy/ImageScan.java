package io.nomadcamel.jobs.trivy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.nomadcamel.jobs.process.ProcessFailedException;
import io.nomadcamel.jobs.scheduler.RunContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One image's scan in a run (exchange property {@value #PROPERTY} of the split's sub-exchange), across the
 * attempts of the route's {@code trivy-attempts} loop: the arguments of
 * {@code trivy image --server <addr> --format json --timeout 10m --scanners vuln <image>}, the temp file Trivy's
 * report streams to (parsed from there, never held whole in memory), and what each attempt's end means. A transient
 * failure asks for another attempt after a backoff; whatever happens, the scan ends as a {@link ScanOutcome}, never an
 * exception, except when the run is stopped.
 */
public final class ImageScan {

    public static final String PROPERTY = "imageScan";
    private static final Logger LOG = LoggerFactory.getLogger(ImageScan.class);
    /** Trivy enforces --timeout itself; ours is the backstop for a Trivy that hangs. */
    private static final Duration KILL_MARGIN = Duration.ofMinutes(1);

    private final String image;
    private final TrivySettings settings;
    private int attempts;
    private Path report;
    private Duration backoff = Duration.ZERO;
    private ScanOutcome outcome;

    ImageScan(String image, TrivySettings settings) {
        this.image = image;
        this.settings = settings;
        if (image.isBlank() || image.startsWith("-")) {
            // it would be read as a flag; Nomad would not have pulled it either
            outcome = ScanOutcome.failed(image, ScanStatus.ERROR, "not an image reference: '" + image + "'", 0);
        }
    }

    /** True until the scan has its outcome: the loop runs Trivy (again). */
    boolean needsAttempt() {
        return outcome == null && attempts <= settings.retries();
    }

    /** Trivy's arguments, after the backoff a retry waits (a stopped run ends the wait); a fresh report file. */
    List<String> nextAttempt(RunContext run) {
        sleep(backoff, run);
        run.checkNotStopped();
        attempts++;
        deleteReport();
        report = tempFile();
        return List.of("image", "--server", settings.serverAddr(), "--format", "json", "--timeout",
                settings.trivyTimeout(), "--scanners", "vuln", image);
    }

    Path report() {
        return report;
    }

    Duration killAfter() {
        return settings.timeout().plus(KILL_MARGIN);
    }

    /** Trivy exited 0: its report is parsed (an unreadable one is {@code parse_failed}). */
    void reportWritten(TrivyReportParser parser) {
        try {
            outcome = ScanOutcome.ok(image, parser.parse(report), attempts);
        } catch (TrivyReportParser.ReportParseException e) {
            outcome = ScanOutcome.failed(image, ScanStatus.PARSE_FAILED, e.getMessage(), attempts);
        } catch (IOException e) {
            outcome = ScanOutcome.failed(image, ScanStatus.ERROR, "could not read Trivy's report: " + e.getMessage(),
                    attempts);
        }
    }

    /** The attempt failed: another one after a backoff if the failure is transient and retries are left. */
    void attemptFailed(Throwable failure) {
        if (failure instanceof RunContext.RunStoppedException stopped) {
            throw stopped;
        }
        FailureClassifier.Kind kind;
        String message;
        if (failure instanceof ProcessFailedException e && e.exitCode() >= 0) {
            kind = FailureClassifier.classify(e.stderr(), image);
            message = FailureClassifier.message(e.stderr(), e.exitCode());
        } else if (failure instanceof ProcessFailedException e) {
            // did not start (TRIVY_BIN wrong: not worth retrying) or outlived its timeout (transient)
            boolean timedOut = e.stderr().startsWith("timed out");
            kind = timedOut ? FailureClassifier.Kind.TRANSIENT : FailureClassifier.Kind.ERROR;
            message = timedOut ? e.getMessage() : e.getMessage() + " (check TRIVY_BIN)";
        } else {
            LOG.error("Scan of {} failed unexpectedly", image, failure);
            outcome = ScanOutcome.failed(image, ScanStatus.ERROR, "unexpected " + failure, attempts);
            return;
        }
        if (kind == FailureClassifier.Kind.TRANSIENT && attempts <= settings.retries()) {
            backoff = settings.backoffBefore(attempts);
            LOG.info("Trivy scan of {} failed transiently (attempt {}), retrying in {}: {}", image, attempts, backoff,
                    firstLine(message));
            return;
        }
        outcome = switch (kind) {
            case PULL_FAILED -> ScanOutcome.failed(image, ScanStatus.PULL_FAILED, message, attempts);
            case TRANSIENT -> ScanOutcome.failed(image, ScanStatus.ERROR, "gave up after " + attempts
                    + " attempts: " + message, attempts);
            case ERROR -> ScanOutcome.failed(image, ScanStatus.ERROR, message, attempts);
        };
    }

    ScanOutcome outcome() {
        return outcome;
    }

    /** The report file goes once the scan has ended (or the next attempt starts). */
    void deleteReport() {
        if (report != null) {
            try {
                Files.deleteIfExists(report);
            } catch (IOException ignored) {
                // a leftover temp file is harmless; the scan's outcome matters more
            }
            report = null;
        }
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

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
