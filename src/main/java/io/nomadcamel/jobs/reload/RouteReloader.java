package io.nomadcamel.jobs.reload;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces the routes of one changed YAML file, safely: the file is parsed and checked before anything is touched;
 * a file whose routes are running a job waits; if the new routes cannot be added, the old ones are put back. Only
 * routes that came from that file are ever removed, so Java routes (the API, the saga's building blocks) are safe.
 * What was refused is kept per file for the health check and the console.
 */
public final class RouteReloader {

    private static final Logger LOG = LoggerFactory.getLogger(RouteReloader.class);

    /** A file's last reload problem (rejected or waiting), for operators. */
    public record Problem(String file, String state, String message) {
    }

    private final CamelContext camel;
    private final Map<String, Problem> problems = new ConcurrentHashMap<>();

    public RouteReloader(CamelContext camel) {
        this.camel = camel;
    }

    public Collection<Problem> problems() {
        return List.copyOf(problems.values());
    }

    /** Reloads the file; false means "not now" (runs in flight), to be tried again. */
    public boolean reload(Path file) {
        String name = file.getFileName().toString();
        List<Route> current = routesFrom(name);
        try {
            List<RouteDefinition> next = Files.exists(file) ? parse(file) : List.of();
            check(name, next);
            List<String> busy = current.stream().filter(r -> camel.getInflightRepository().size(r.getRouteId()) > 0)
                    .map(Route::getRouteId).toList();
            if (!busy.isEmpty()) {
                problems.put(name, new Problem(name, "waiting", "reload waits for running jobs of " + busy));
                LOG.info("Route file {} changed; reload waits for the runs in flight on {}", name, busy);
                return false;
            }
            replace(name, current, next);
            problems.remove(name);
            LOG.info("Route file {} reloaded: {}", name, next.stream().map(RouteDefinition::getRouteId).toList());
            return true;
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            problems.put(name, new Problem(name, "rejected", message));
            LOG.error("Route file {} rejected, the previous routes keep running: {}", name, message);
            return true;
        }
    }

    private List<RouteDefinition> parse(Path file) throws Exception {
        var resource = ResourceHelper.resolveMandatoryResource(camel, "file:" + file.toAbsolutePath());
        List<RouteDefinition> definitions = new ArrayList<>();
        for (RoutesBuilder builder : PluginHelper.getRoutesLoader(camel).findRoutesBuilders(List.of(resource))) {
            if (!(builder instanceof RouteBuilder routeBuilder)) {
                throw new IllegalArgumentException("only routes may be defined in a route file");
            }
            definitions.addAll(routeBuilder.configureRoutes(camel).getRoutes());
        }
        return definitions;
    }

    /** The rules of routes/: explicit ids, one route per job type, no id or endpoint taken from another file. */
    private void check(String file, List<RouteDefinition> next) {
        if (next.isEmpty()) {
            throw new IllegalArgumentException("the file defines no route (delete it to remove its job type)");
        }
        Set<String> ownIds = routesFrom(file).stream().map(Route::getRouteId).collect(Collectors.toSet());
        for (RouteDefinition route : next) {
            if (route.getRouteId() == null || !route.hasCustomIdAssigned()) {
                throw new IllegalArgumentException("every route needs an explicit id");
            }
            Route existing = camel.getRoute(route.getRouteId());
            if (existing != null && !ownIds.contains(existing.getRouteId())) {
                throw new IllegalArgumentException("route id '" + route.getRouteId() + "' belongs to "
                        + (existing.getSourceLocationShort() == null ? "a Java route" : existing.getSourceLocationShort()));
            }
        }
    }

    private void replace(String file, List<Route> current, List<RouteDefinition> next) throws Exception {
        ModelCamelContext model = (ModelCamelContext) camel;
        List<RouteDefinition> previous = current.stream().map(r -> model.getRouteDefinition(r.getRouteId())).toList();
        remove(current.stream().map(Route::getRouteId).toList());
        try {
            model.addRouteDefinitions(next);
        } catch (Exception failed) {
            remove(next.stream().map(RouteDefinition::getRouteId).filter(id -> camel.getRoute(id) != null).toList());
            model.addRouteDefinitions(previous);
            throw new IllegalArgumentException("the new routes do not start (" + failed.getMessage()
                    + "); the previous ones were put back", failed);
        }
    }

    private void remove(List<String> routeIds) throws Exception {
        for (String id : routeIds) {
            camel.getRouteController().stopRoute(id);
            camel.removeRoute(id);
        }
    }

    private List<Route> routesFrom(String fileName) {
        return camel.getRoutes().stream().filter(r -> r.getSourceResource() != null
                && r.getSourceResource().getLocation() != null
                && Path.of(r.getSourceResource().getLocation().replaceFirst("^file:", "")).getFileName().toString()
                        .equals(fileName)).toList();
    }
}
