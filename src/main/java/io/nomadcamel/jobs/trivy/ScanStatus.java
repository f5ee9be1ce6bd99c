package io.nomadcamel.jobs.trivy;

import java.util.Locale;

/**
 * How an image's scan ended, as stored in {@code scans.status}: the original workers' words, which existing dashboards
 * query ({@code success}; V9 turned this application's earlier {@code ok} rows into it).
 */
public enum ScanStatus {
    /** Trivy answered a valid report; its findings are stored. */
    SUCCESS,
    /** The image cannot be pulled (manifest unknown, not found, unauthorized): permanent, not retried. */
    PULL_FAILED,
    /** Trivy failed for another reason, or a transient failure outlasted the retries. */
    ERROR,
    /** Trivy exited 0 but its output is not a SchemaVersion 2 report: permanent, not retried. */
    PARSE_FAILED;

    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ScanStatus parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
