package io.nomadcamel.jobs.trivy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The end of one image's scan, whatever happened: a report, or a failure with its message. Every outcome is stored.
 *
 * @param attempts how many times Trivy ran for it (transient failures are retried)
 */
public record ScanOutcome(String image, ScanStatus status, TrivyReport report, String error, int attempts,
        Instant scannedAt) {

    static final int ERROR_MAX = 4000;

    public ScanOutcome {
        error = Text.cut(error, ERROR_MAX);
        scannedAt = scannedAt.truncatedTo(ChronoUnit.MICROS); // what both databases keep
    }

    public static ScanOutcome ok(String image, TrivyReport report, int attempts) {
        return new ScanOutcome(image, ScanStatus.SUCCESS, report, null, attempts, Instant.now());
    }

    public static ScanOutcome failed(String image, ScanStatus status, String error, int attempts) {
        return new ScanOutcome(image, status, null, error, attempts, Instant.now());
    }
}
