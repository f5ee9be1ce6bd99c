package io.nomadcamel.jobs.reload;

import java.util.LinkedHashMap;
import java.util.Map;

import io.nomadcamel.jobs.ProblemsHealthCheck;

/**
 * DOWN while a changed route file was rejected (or waits for runs), naming the file and why. Neither liveness nor
 * readiness: the previous routes keep working, so the orchestrator must not restart or unroute the instance; the
 * warning shows in {@code /observe/health} and the console.
 */
final class RouteReloadHealthCheck extends ProblemsHealthCheck {

    private final RouteReloader reloader;

    RouteReloadHealthCheck(RouteReloader reloader) {
        super("routes-reload");
        this.reloader = reloader;
    }

    @Override
    protected Map<String, String> problems() {
        Map<String, String> problems = new LinkedHashMap<>();
        for (RouteReloader.Problem p : reloader.problems()) {
            problems.put(p.file(), p.state() + ": " + p.message());
        }
        return problems;
    }
}
