package io.nomadcamel.jobs.scheduler;

import java.util.Arrays;
import java.util.Optional;

/** How a job's runs are started (design §3). */
public enum Mode {
    /** Quartz cron or a fixed interval; overlapping slots are skipped, missed slots caught up once. */
    RECURRING("recurring"),
    /** Runs once per trigger (HTTP, or at start-up). */
    ONE_SHOT("one-shot"),
    /** Kept running while enabled: restarted after success, backed off after failure. */
    CONTINUOUS("continuous"),
    /** One-shot runs serialised per named queue, FIFO, one running per queue across instances. */
    QUEUED("queued");

    private final String text;

    Mode(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public static Optional<Mode> parse(String text) {
        return Arrays.stream(values()).filter(m -> m.text.equals(text)).findFirst();
    }
}
