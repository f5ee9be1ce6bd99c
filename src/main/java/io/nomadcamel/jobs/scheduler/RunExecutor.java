package io.nomadcamel.jobs.scheduler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.trace.Tracing;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;

/**
 * Runs claimed runs: each on its own thread, through the job type's route ({@code direct:<type>}), with the run's
 * timeout enforced by stopping it. Reports each run's outcome; knows nothing of the database.
 */
final class RunExecutor {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a run ended, as it will be stored. */
    record Outcome(RunState state, String reason, String result, String error) {
    }

    private final ProducerTemplate producer;
    private final CamelContext camel;
    private final ExecutorService workers;
    private final ScheduledExecutorService timers;
    private final Map<Long, RunContext> active = new ConcurrentHashMap<>();

    RunExecutor(CamelContext camel) {
        this.camel = camel;
        this.producer = camel.createProducerTemplate();
        AtomicLong n = new AtomicLong();
        this.workers = Executors.newCachedThreadPool(r -> daemon(r, "run-" + n.incrementAndGet()));
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "run-timeouts"));
    }

    int activeCount() {
        return active.size();
    }

    boolean isActive(long runId) {
        return active.containsKey(runId);
    }

    /** Starts the run; {@code onEnd} gets its outcome on the run's thread. */
    void execute(Run run, JobDefinition job, Map<String, Object> input, Consumer<String> progress,
            Consumer<Outcome> onEnd) {
        RunContext context = new RunContext(run.id(), job, progress);
        active.put(run.id(), context);
        workers.execute(() -> {
            context.bindThread(Thread.currentThread());
            ScheduledFuture<?> timeout = timers.schedule(() -> context.stop(RunState.TIMED_OUT,
                    "timed out after " + io.nomadcamel.jobs.Durations.format(job.timeout())),
                    job.timeout().toMillis(), TimeUnit.MILLISECONDS);
            Outcome outcome;
            try {
                outcome = runRoute(run, job, input, context);
            } catch (RuntimeException e) {
                // the end hooks run here if the route's own path did not get to them (first: they add results)
                List<String> hookErrors = context.runEndHooks();
                outcome = new Outcome(RunState.FAILED, null, json(context.partialResult()),
                        withErrors(message(e), hookErrors));
            } finally {
                timeout.cancel(false);
                Thread.interrupted(); // a stop's interrupt must not leak into the outcome's database write
            }
            try {
                onEnd.accept(outcome);
            } finally {
                active.remove(run.id());
            }
        });
    }

    private Outcome runRoute(Run run, JobDefinition job, Map<String, Object> input, RunContext context) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(RunContext.PROPERTY, context);
        exchange.getIn().setHeader("runId", run.id());
        exchange.getIn().setHeader("jobId", job.id());
        exchange.getIn().setBody(new LinkedHashMap<>(input));
        // one trace per run: Camel's route spans join it through the traceparent header
        Span span = Tracing.tracer().spanBuilder("run " + job.id()).setNoParent()
                .setAttribute("job.id", job.id()).setAttribute("job.type", job.type())
                .setAttribute("run.id", run.id()).setAttribute("run.trigger", run.trigger()).startSpan();
        Exchange done;
        try (Scope ignored = span.makeCurrent()) {
            GlobalOpenTelemetry.getPropagators().getTextMapPropagator().inject(Context.current(), exchange.getIn(),
                    (message, key, value) -> message.setHeader(key, value));
            done = producer.send("direct:" + job.type(), exchange);
            if (done.getException() != null) {
                span.setStatus(StatusCode.ERROR, String.valueOf(done.getException().getMessage()));
            }
        } finally {
            span.end();
        }
        // after the route, whatever it did: compensations its steps may have skipped (see RunContext.onEnd)
        List<String> hookErrors = context.runEndHooks();
        if (context.stopped()) {
            return new Outcome(context.stoppedAs(), context.stopReason(), json(context.partialResult()),
                    withErrors(context.stopReason(), hookErrors));
        }
        if (done.getException() != null) {
            return new Outcome(RunState.FAILED, null, json(context.partialResult()),
                    withErrors(message(done.getException()), hookErrors));
        }
        if (!hookErrors.isEmpty()) {
            return new Outcome(RunState.FAILED, null, resultJson(done.getMessage().getBody(), context),
                    withErrors(null, hookErrors));
        }
        return new Outcome(RunState.SUCCEEDED, null, resultJson(done.getMessage().getBody(), context), null);
    }

    /** The run's error with what end hooks reported, each once (a route step may have said the same already). */
    private static String withErrors(String error, List<String> hookErrors) {
        String all = error;
        for (String e : hookErrors) {
            if (all == null || all.isBlank()) {
                all = e;
            } else if (!all.contains(e)) {
                all = all + "; " + e;
            }
        }
        return all;
    }

    /** Stops a run running here; false if it is not running on this instance. */
    boolean stop(long runId, RunState as, String reason) {
        RunContext context = active.get(runId);
        if (context == null) {
            return false;
        }
        context.stop(as, reason);
        return true;
    }

    /** Stops every run (shutdown) and waits up to the bound for their threads to report. */
    void stopAll(String reason, long waitMillis) {
        active.values().forEach(c -> c.stop(RunState.CANCELLED, reason));
        long deadline = System.currentTimeMillis() + waitMillis;
        while (!active.isEmpty() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        timers.shutdownNow();
        workers.shutdownNow();
    }

    java.util.Set<Long> activeRunIds() {
        return java.util.Set.copyOf(active.keySet());
    }

    /** The route's final body is the result: a map or JSON text; anything else is kept as {"value": ...}. */
    private static String resultJson(Object body, RunContext context) {
        Map<String, Object> result = context.partialResult();
        if (body instanceof Map<?, ?> map) {
            map.forEach((k, v) -> result.put(String.valueOf(k), v));
        } else if (body instanceof String text && text.trim().startsWith("{")) {
            try {
                JSON.readTree(text).properties().forEach(e -> result.put(e.getKey(), e.getValue()));
            } catch (Exception notJson) {
                result.put("value", text);
            }
        } else if (body != null) {
            result.put("value", String.valueOf(body));
        }
        return json(result);
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            return "{\"unserialisable\":\"" + e.getClass().getSimpleName() + "\"}";
        }
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root
                && (root instanceof org.apache.camel.CamelExecutionException
                        || root instanceof org.apache.camel.RuntimeCamelException)) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null || m.isBlank() ? root.getClass().getSimpleName() : m;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
