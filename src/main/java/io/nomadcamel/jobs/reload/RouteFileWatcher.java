package io.nomadcamel.jobs.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.nomadcamel.jobs.Settings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.health.HealthCheckRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@code routes/} while the application runs and hands each changed {@code *.camel.yaml} to the
 * {@link RouteReloader}. Polling (every {@code routes.reload.interval}, 2s) rather than file events, because mounted
 * volumes in containers often deliver none. {@code routes.reload.enabled=false} turns it off.
 */
public final class RouteFileWatcher implements CamelConfiguration, StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(RouteFileWatcher.class);

    private final Map<Path, String> seen = new HashMap<>();
    private ScheduledExecutorService timer;
    private RouteReloader reloader;
    private Path directory;

    @Override
    public void configure(CamelContext camel) throws Exception {
        camel.addStartupListener(this);
    }

    @Override
    public void onCamelContextStarted(CamelContext camel, boolean alreadyStarted) {
        // nothing before every route is up
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext camel, boolean alreadyStarted) {
        Settings settings = new Settings(camel);
        if (timer != null || !settings.bool("routes.reload.enabled", true)) {
            return;
        }
        directory = Path.of(settings.string("routes.reload.directory", "routes"));
        Duration interval = settings.duration("routes.reload.interval", Duration.ofSeconds(2));
        reloader = new RouteReloader(camel);
        camel.getRegistry().bind("routeReloader", reloader);
        HealthCheckRegistry health = HealthCheckRegistry.get(camel);
        if (health != null) {
            health.register(new RouteReloadHealthCheck(reloader));
        }
        scan(false);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "route-file-watcher");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> scan(true), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        camel.addLifecycleStrategy(new org.apache.camel.support.LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext context) {
                timer.shutdownNow();
            }
        });
        LOG.info("Watching {} for route changes every {}", directory.toAbsolutePath(), interval);
    }

    /** Compares each file's size and mtime with the last scan; {@code act} false only records (at start-up). */
    private void scan(boolean act) {
        Set<Path> present = new HashSet<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).toList()) {
                present.add(file);
                String stamp = Files.getLastModifiedTime(file).toMillis() + ":" + Files.size(file);
                if (!stamp.equals(seen.get(file)) && (!act || reloader.reload(file))) {
                    seen.put(file, stamp);
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot read {}: {}", directory, e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.error("Route reload failed: {}", e.getMessage(), e);
        }
        for (Path gone : Set.copyOf(seen.keySet())) {
            if (!present.contains(gone)) {
                seen.remove(gone);
                LOG.warn("Route file {} was deleted; its routes keep running until the next restart",
                        gone.getFileName());
            }
        }
    }
}
