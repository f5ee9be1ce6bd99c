package io.nomadcamel.jobs.cleanup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import io.nomadcamel.jobs.scheduler.JobDefinition;
import io.nomadcamel.jobs.scheduler.Mode;
import io.nomadcamel.jobs.scheduler.RunContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * The node-cleanup job in process, as the scheduler runs it: the project's routes/node-cleanup.camel.yaml on a Camel
 * context with {@link CleanupConfiguration}'s beans and the given settings, fed a run's input and RunContext.
 */
final class CleanupJobRunner implements AutoCloseable {

    private static final AtomicLong RUN_IDS = new AtomicLong();

    /** How a run ended: its result (success) or error (failure), the partial result kept, the progress shown. */
    record Outcome(Map<String, Object> result, String error, Map<String, Object> partial, List<String> progress,
            Duration took) {

        boolean succeeded() {
            return error == null;
        }

        /** The result of a success, else the partial result a failed run keeps. */
        Map<String, Object> kept() {
            return result != null ? result : partial;
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> node(String name) {
            List<Map<String, Object>> nodes = (List<Map<String, Object>>) kept().get("nodes");
            return nodes.stream().filter(n -> name.equals(n.get("node_name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no node " + name + " in " + kept()));
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> totals() {
            return (Map<String, Object>) kept().get("totals");
        }
    }

    private final DefaultCamelContext camel;
    private final ProducerTemplate producer;

    CleanupJobRunner(Map<String, String> settings) throws Exception {
        camel = new DefaultCamelContext();
        Properties properties = new Properties();
        properties.putAll(settings);
        camel.getPropertiesComponent().setInitialProperties(properties);
        new CleanupConfiguration().configure(camel);
        camel.start();
        PluginHelper.getRoutesLoader(camel).loadRoutes(
                ResourceHelper.resolveMandatoryResource(camel, "file:routes/node-cleanup.camel.yaml"));
        producer = camel.createProducerTemplate();
    }

    Outcome run(Map<String, Object> input) {
        return run(input, run -> { });
    }

    /** Runs the job on this thread; {@code started} gets the RunContext first (e.g. to stop it from elsewhere). */
    Outcome run(Map<String, Object> input, java.util.function.Consumer<RunContext> started) {
        List<String> progress = Collections.synchronizedList(new ArrayList<>());
        JobDefinition job = new JobDefinition("cleanup-test", "node-cleanup", Mode.ONE_SHOT, null, null,
                Duration.ofMinutes(10), null, Map.of(), true, null, Duration.ofSeconds(10), 1, false,
                JobDefinition.Source.PROPERTIES);
        RunContext run = new RunContext(RUN_IDS.incrementAndGet(), job, progress::add);
        io.nomadcamel.jobs.scheduler.RunContextAccess.bindThread(run, Thread.currentThread());
        started.accept(run);
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(RunContext.PROPERTY, run);
        exchange.getIn().setBody(new LinkedHashMap<>(input));
        long start = System.nanoTime();
        Exchange done = producer.send("direct:node-cleanup", exchange);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        Thread.interrupted(); // a stop's interrupt must not leak into the next test step
        if (done.getException() != null) {
            return new Outcome(null, ParallelNodes.message(done.getException()), run.partialResult(),
                    List.copyOf(progress), took);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> result = done.getMessage().getBody(Map.class);
        return new Outcome(result, null, run.partialResult(), List.copyOf(progress), took);
    }

    @Override
    public void close() {
        camel.stop();
    }
}
