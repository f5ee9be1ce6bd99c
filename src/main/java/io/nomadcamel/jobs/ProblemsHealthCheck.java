package io.nomadcamel.jobs;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A warning in {@code /observe/health}: DOWN while {@link #problems()} names something, each as a detail and all in
 * the message. Neither liveness nor readiness: what it reports leaves the instance serving (the previous routes keep
 * working; other jobs run), so an orchestrator must not restart or unroute it; operators see it in health and the
 * console.
 */
public abstract class ProblemsHealthCheck extends AbstractHealthCheck {

    protected ProblemsHealthCheck(String id) {
        super("nomad-camel-jobs", id);
    }

    /** What is wrong, by what it concerns (a file, a job); empty when nothing is. */
    protected abstract Map<String, String> problems();

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
        Map<String, String> problems = problems();
        if (problems.isEmpty()) {
            builder.up();
            return;
        }
        builder.down();
        StringBuilder message = new StringBuilder();
        problems.forEach((what, problem) -> {
            builder.detail(what, problem);
            message.append(message.isEmpty() ? "" : "; ").append(what).append(' ').append(problem);
        });
        builder.message(message.toString());
    }
}
