package io.nomadcamel.jobs.trivy;

import java.util.Locale;

/** Trivy's severities, worst first. UNKNOWN is kept on the finding but not counted, as Trivy's summary does. */
public enum Severity {
    CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN;

    /** Anything Trivy prints that is not one of the four known levels (or nothing) is UNKNOWN. */
    public static Severity parse(String text) {
        if (text == null) {
            return UNKNOWN;
        }
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
