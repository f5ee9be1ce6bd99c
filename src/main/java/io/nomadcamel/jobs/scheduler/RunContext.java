package io.nomadcamel.jobs.scheduler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.camel.Exchange;

/**
 * What a running job sees of its run: its id, a way to report progress and partial results, and cancellation.
 * Routes find it in the exchange property {@value #PROPERTY}; beans take it as a parameter. Whatever a bean
 * starts that outlives a method call (a child process, an SSH channel) it registers here, so that stopping the run
 * or its timeout really ends it.
 */
public final class RunContext {

    public static final String PROPERTY = "run";

    private final long runId;
    private final JobDefinition job;
    private final Consumer<String> progressSink;
    private final Map<String, Object> partialResult = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Set<Process> processes = ConcurrentHashMap.newKeySet();
    private final Set<AutoCloseable> closeables = ConcurrentHashMap.newKeySet();
    private final Map<String, EndHook> endHooks = Collections.synchronizedMap(new LinkedHashMap<>());
    private volatile RunState stoppedAs;
    private volatile String stopReason;
    private volatile Thread thread;

    public RunContext(long runId, JobDefinition job, Consumer<String> progressSink) {
        this.runId = runId;
        this.job = job;
        this.progressSink = progressSink;
    }

    public static RunContext of(Exchange exchange) {
        RunContext run = exchange.getProperty(PROPERTY, RunContext.class);
        if (run == null) {
            throw new IllegalStateException("not inside a run: exchange property '" + PROPERTY + "' is missing");
        }
        return run;
    }

    public long runId() {
        return runId;
    }

    public JobDefinition job() {
        return job;
    }

    /** Shown on the run while it works ("dumped 3/8 databases"). */
    public void progress(String text) {
        progressSink.accept(text);
    }

    /** Adds to the result kept even if the run fails later. */
    public void putResult(String key, Object value) {
        partialResult.put(key, value);
    }

    public Map<String, Object> partialResult() {
        synchronized (partialResult) {
            return new LinkedHashMap<>(partialResult);
        }
    }

    public boolean stopped() {
        return stoppedAs != null;
    }

    public RunState stoppedAs() {
        return stoppedAs;
    }

    public String stopReason() {
        return stopReason;
    }

    /** Throws if the run was stopped, for loops that should end at a step boundary. */
    public void checkNotStopped() {
        if (stoppedAs != null) {
            throw new RunStoppedException(stopReason);
        }
    }

    /**
     * Waits for a permit of {@code slots} (a bound on the run's parallel work); a stop ends the wait, since a stop
     * does not interrupt the split threads that wait here.
     */
    public void acquire(Semaphore slots) {
        try {
            do {
                checkNotStopped();
            } while (!slots.tryAcquire(200, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunStoppedException("interrupted");
        }
    }

    /** Registers a child process: stopping the run destroys it and its descendants. */
    public Process track(Process process) {
        processes.add(process);
        if (stoppedAs != null) {
            destroy(process);
        }
        return process;
    }

    public void untrack(Process process) {
        processes.remove(process);
    }

    /** Registers something to close when the run is stopped (an SSH channel, a socket). */
    public <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    public void untrack(AutoCloseable closeable) {
        closeables.remove(closeable);
    }

    /**
     * Work that must happen when the run ends, whatever its route did: a compensation the route's own steps may have
     * done already (so it must be idempotent), or that an edited route skipped. Hooks run once, in registration
     * order, on the run's thread after the route returned and before the run's end is recorded, with a stop's
     * interrupt cleared; registering the same key again keeps the first hook.
     */
    public void onEnd(String key, EndHook hook) {
        endHooks.putIfAbsent(key, hook);
    }

    /** See {@link #onEnd}. */
    @FunctionalInterface
    public interface EndHook {
        /** Returns null when all is well, else an error for the run (which then does not succeed). */
        String atRunEnd(RunContext run) throws Exception;
    }

    /** Runs the end hooks; their errors, for the run's outcome. */
    List<String> runEndHooks() {
        List<EndHook> hooks;
        synchronized (endHooks) {
            hooks = List.copyOf(endHooks.values());
            endHooks.clear();
        }
        List<String> errors = new ArrayList<>();
        for (EndHook hook : hooks) {
            Thread.interrupted();
            try {
                String error = hook.atRunEnd(this);
                if (error != null) {
                    errors.add(error);
                }
            } catch (Exception | Error e) {
                errors.add(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }
        return errors;
    }

    void bindThread(Thread t) {
        this.thread = t;
    }

    /** Stops the run cooperatively: kills its processes, closes its channels, interrupts its thread. */
    void stop(RunState as, String reason) {
        if (stoppedAs != null) {
            return;
        }
        stopReason = reason;
        stoppedAs = as;
        processes.forEach(RunContext::destroy);
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing is best effort; the process kill and interrupt still apply
            }
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    private static void destroy(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** The run was stopped (API stop, timeout, shutdown) while a step was working. */
    public static final class RunStoppedException extends RuntimeException {
        public RunStoppedException(String reason) {
            super("run stopped: " + reason);
        }
    }
}
