package io.nomadcamel.jobs.scheduler;

import java.time.Instant;

/**
 * One run of a job, as stored: every trigger, skipped slot and retry is a row.
 *
 * @param input  the merged input, JSON text
 * @param result the result JSON text; a failed run keeps its partial result
 */
public record Run(
        long id,
        String jobId,
        String type,
        String trigger,
        RunState state,
        String reason,
        int attempt,
        String queue,
        Instant slotAt,
        Instant notBefore,
        long timeoutMs,
        Instant queuedAt,
        Instant startedAt,
        Instant finishedAt,
        String input,
        String result,
        String error,
        String progress,
        String instance) {

    /** What started a run. */
    public static final String SCHEDULE = "schedule";
    public static final String API = "api";
    public static final String STARTUP = "startup";
    public static final String RESTART = "restart";
}
