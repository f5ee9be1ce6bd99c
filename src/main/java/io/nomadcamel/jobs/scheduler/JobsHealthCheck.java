package io.nomadcamel.jobs.scheduler;

import java.util.LinkedHashMap;
import java.util.Map;

import io.nomadcamel.jobs.ProblemsHealthCheck;

/**
 * {@code jobs} in {@code /observe/health}: DOWN naming the enabled jobs that cannot work on this instance and why
 * ("backup-daily not ready: PG_HOST is not set, …"); a half-configured instance keeps serving its other jobs.
 */
final class JobsHealthCheck extends ProblemsHealthCheck {

    private final JobReadiness readiness;

    JobsHealthCheck(JobReadiness readiness) {
        super("jobs");
        this.readiness = readiness;
    }

    @Override
    protected Map<String, String> problems() {
        Map<String, String> problems = new LinkedHashMap<>();
        readiness.notReadyEnabled().forEach((job, list) -> problems.put(job, "not ready: " + String.join(", ", list)));
        return problems;
    }
}
