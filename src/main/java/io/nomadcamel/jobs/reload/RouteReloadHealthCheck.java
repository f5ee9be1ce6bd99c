package io.nomadcamel.jobs.reload;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * DOWN while a changed route file was rejected (or waits for runs), naming the file and why. Neither liveness nor
 * readiness: the previous routes keep working, so the orchestrator must not restart or unroute the instance; the
 * warning shows in {@code /observe/health} and the console.
 */
final class RouteReloadHealthCheck extends AbstractHealthCheck {

    private final RouteReloader reloader;

    RouteReloadHealthCheck(RouteReloader reloader) {
        super("nomad-camel-jobs", "routes-reload");
        this.reloader = reloader;
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
        var problems = reloader.problems();
        if (problems.isEmpty()) {
            builder.up();
            return;
        }
        builder.down();
        StringBuilder message = new StringBuilder();
        for (RouteReloader.Problem p : problems) {
            builder.detail(p.file(), p.state() + ": " + p.message());
            message.append(message.isEmpty() ? "" : "; ").append(p.file()).append(" ").append(p.state()).append(": ")
                    .append(p.message());
        }
        builder.message(message.toString());
    }
}
