package io.nomadcamel.jobs.scheduler;

import java.util.List;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * {@code jobs} in {@code /observe/health}: DOWN naming the enabled jobs that cannot work on this instance and why.
 * Neither liveness nor readiness: a half-configured instance keeps serving its other jobs, the API and the console.
 */
final class JobsHealthCheck extends AbstractHealthCheck {

    private final JobReadiness readiness;

    JobsHealthCheck(JobReadiness readiness) {
        super("nomad-camel-jobs", "jobs");
        this.readiness = readiness;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, List<String>> notReady = readiness.notReadyEnabled();
        if (notReady.isEmpty()) {
            builder.up();
            return;
        }
        builder.down();
        StringBuilder message = new StringBuilder("not ready: ");
        notReady.forEach((job, problems) -> {
            builder.detail(job, String.join("; ", problems));
            message.append(message.length() > 11 ? "; " : "").append(job).append(" (")
                    .append(String.join(", ", problems)).append(")");
        });
        builder.message(message.toString());
    }
}
