package io.nomadcamel.jobs.scheduler;

import java.time.Duration;
import java.util.Map;

/**
 * A configured job: which route type runs, when, and with what input. Built and validated by
 * {@link JobDefinitions}; immutable.
 *
 * @param input the job's input, a JSON object as a map; a trigger's override is merged over it
 */
public record JobDefinition(
        String id,
        String type,
        Mode mode,
        String cron,
        Duration every,
        Duration timeout,
        String queue,
        Map<String, Object> input,
        boolean enabled,
        Duration catchup,
        Duration restartDelay,
        int maxAttempts,
        boolean runAtStartup,
        Source source) {

    /** Where a job was defined: properties jobs cannot be deleted over the API. */
    public enum Source { PROPERTIES, API }

    public boolean recurring() {
        return mode == Mode.RECURRING;
    }

    /** Whether the database allows only one active (pending or running) run of this job at a time. */
    public boolean singleActiveRun() {
        return mode != Mode.QUEUED;
    }
}
