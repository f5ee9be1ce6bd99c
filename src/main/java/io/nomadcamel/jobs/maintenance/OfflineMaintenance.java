package io.nomadcamel.jobs.maintenance;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.nomadcamel.jobs.Durations;
import io.nomadcamel.jobs.maintenance.IntentStore.Intent;
import io.nomadcamel.jobs.maintenance.NomadGroups.Placement;
import io.nomadcamel.jobs.scheduler.RunContext;
import io.nomadcamel.jobs.ssh.CommandResult;
import io.nomadcamel.jobs.ssh.CommandTimeoutException;
import io.nomadcamel.jobs.ssh.RemoteSession;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/**
 * The building block "offline maintenance of a Nomad job", as route steps (bean {@code offlineMaintenance}):
 * {@link #locate} the group's node → {@link #measureBefore} ({@code du -sb}, optional) → {@link #scaleDown} (the
 * intent row, then the group to 0) → {@link #awaitDrained} → {@link #runCommand} on that node over SSH →
 * {@link #measureAfter} → {@link #scaleBack} to the original count, waiting for a running allocation.
 *
 * <p>Every step reads and extends the request map held in the exchange property {@value #PROPERTY} (see
 * {@link MaintenanceRequest}); the route sets it once, so any route (registry GC, an aptly cleanup) uses the same steps
 * without Java of its own. Each step also returns the map, for the route's next step.
 *
 * <p>The route shows the compensation ({@code doFinally} and {@code onCompletion} calling {@link #scaleBack}), but its
 * guarantee lies beneath: {@link #scaleBack} is idempotent (it re-reads the run's intent); the scale-down registers
 * the same scale-back as the run's end hook, which the scheduler runs after the route whatever it did; and an intent
 * whose run died is compensated by {@link IntentRecovery}. The command never runs unless this run's intent is open and
 * the group has drained, and no scale-back happens while it may still run on the node.
 */
public final class OfflineMaintenance {

    /** The exchange property holding the request map the steps read and extend. */
    public static final String PROPERTY = "maintenance";

    private final MaintenanceEnvironment env;
    private final RunCompensation compensation;

    public OfflineMaintenance(MaintenanceEnvironment env) {
        this.env = env;
        this.compensation = new RunCompensation(env);
    }

    /** Finds the node of the group's running allocation, and its count; refuses a group another maintenance holds. */
    public Map<String, Object> locate(@ExchangeProperty(PROPERTY) Map<String, Object> state,
            @ExchangeProperty(RunContext.PROPERTY) RunContext run) throws Exception {
        MaintenanceRequest request = request(state, run);
        NomadGroups nomad = env.nomad();
        run.progress("looking up " + request.target() + " in Nomad");
        Optional<Intent> busy = env.intents().openFor(request.job(), request.group());
        if (busy.isPresent()) {
            // said before reading the count: a group another maintenance holds offline is at 0 for that reason
            throw new IntentStore.GroupBusyException(request.job(), request.group(), busy.get());
        }
        int original = nomad.count(request.job(), request.group());
        if (original < 1) {
            throw new MaintenanceException(request.target() + " is scaled to 0: nothing runs to take offline (if an "
                    + "earlier maintenance left it there, see the CRITICAL log lines and metric "
                    + MaintenanceMetrics.SCALE_BACK_FAILED + ")");
        }
        Placement where = nomad.locate(request.job(), request.group());
        state.put("original_count", original);
        put(state, run, "node_name", where.nodeName());
        put(state, run, "node_addr", where.nodeAddr());
        run.checkNotStopped();
        return state;
    }

    /** {@code du -sb <measure_path>} on the node → {@code before_bytes} (nothing without a measure_path). */
    public Map<String, Object> measureBefore(@ExchangeProperty(PROPERTY) Map<String, Object> state,
            @ExchangeProperty(RunContext.PROPERTY) RunContext run) {
        return measure(state, run, "before_bytes");
    }

    /**
     * Records the intent to scale back, then scales the group to 0. From the intent on, the run's end hook scales
     * back whatever the route does next. A scale-down Nomad refused (the count is unchanged) closes the intent: there
     * is nothing to undo.
     */
    public Map<String, Object> scaleDown(@ExchangeProperty(PROPERTY) Map<String, Object> state,
            @ExchangeProperty(RunContext.PROPERTY) RunContext run) throws Exception {
        MaintenanceRequest request = request(state, run);
        String nodeName = required(state, "node_name", "locate");
        String nodeAddr = required(state, "node_addr", "locate");
        int original = ((Number) state.get("original_count")).intValue();
        run.checkNotStopped();
        run.onEnd("offline-maintenance", compensation::atRunEnd);
        Intent intent = env.intents().open(run.runId(), run.job().type(), env.scheduler().config().instanceId(),
                request.job(), request.group(), original, nodeName, nodeAddr, Instant.now());
        state.put("intent_id", intent.id());
        run.progress("scaling " + request.target() + " to 0 on " + nodeName);
        NomadGroups nomad = env.nomad();
        try {
            nomad.scale(request.job(), request.group(), 0, "nomad-camel-jobs run " + run.runId() + " ("
                    + request.purpose() + "): offline maintenance, scaled back to " + original + " afterwards");
        } catch (RuntimeException e) {
            if (unchanged(nomad, request, original)) {
                env.intents().close(intent.id(), "not needed: the scale-down failed: " + e.getMessage(),
                        Instant.now());
            } // else the scale-down may have happened although the call failed: the scale-back handles it
            throw e;
        }
        return state;
    }

    /** Polls until no allocation of the group runs or starts, bounded by the drain timeout. */
    public Map<String, Object> awaitDrained(@ExchangeProperty(PROPERTY) Map<String, Object> state,
            @ExchangeProperty(RunContext.PROPERTY) RunContext run) throws Exception {
        MaintenanceRequest request = request(state, run);
        offlineIntent(request, run, "waiting for it to drain");
        long deadline = System.nanoTime() + request.drainTimeout().toNanos();
        NomadGroups nomad = env.nomad();
        while (true) {
            run.checkNotStopped();
            Set<String> active = nomad.active(request.job(), request.group());
            if (active.isEmpty()) {
                return state;
            }
            if (System.nanoTime() > deadline) {
                throw new MaintenanceException(request.target() + " did not stop within "
                        + Durations.format(request.drainTimeout()) + " (drain_timeout) after the scale-down: "
                        + "allocation(s) " + active + " still running; the command was not run");
            }
            run.progress("waiting for " + request.target() + " to stop: " + active.size()
                    + " allocation(s) still running");
            Thread.sleep(env.timings().pollInterval().toMillis());
        }
    }

    /**
     * Runs the command on the node, marked so that it can be found and killed from another session. Only while this
     * run's intent is open and unclaimed and no allocation of the group runs, whatever order the route's steps are in.
     * Puts {@code command_exit}, {@code command_stdout}, {@code command_stderr}; a non-zero exit fails the step.
     */
    public Map<String, Object> runCommand(@ExchangeProperty(PROPERTY) Map<String, Object> state,
            @ExchangeProperty(RunContext.PROPERTY) RunContext run) throws Exception {
        MaintenanceRequest request = request(state, run);
        Intent intent = offlineIntent(request, run, "running the command");
        Set<String> active = env.nomad().active(request.job(), request.group());
        if (!active.isEmpty()) {
            throw new MaintenanceException(request.target() + " still has allocation(s) " + active + " running, so "
                    + "the " + request.purpose() + " command was not started (awaitDrained must come first)");
        }
        String marker = NodeCommands.marker(intent.id(), run.runId());
        // a container runs under the Docker daemon, out of reach of the marker: named, so it can be removed
        String container = request.container() ? MaintenanceRequest.containerName(intent.id()) : null;
        if (!env.intents().setCommand(intent.id(), marker, container)) {
            throw new MaintenanceException("recovery took over " + request.target() + " (this run was thought "
                    + "dead: its lease had expired), so the " + request.purpose() + " command was not started");
        }
        if (container != null) {
            put(state, run, "container_name", container);
        }
        run.progress("running the " + request.purpose() + " command on " + intent.nodeName());
        CommandResult result;
        try (RemoteSession session = env.shell().connect(intent.nodeAddr())) {
            result = session.execute(NodeCommands.marked(marker, request.command(container)), null,
                    request.commandTimeout());
        } catch (CommandTimeoutException e) {
            // RemoteSession has killed the command's process group; the scale-back checks it is gone
            throw new MaintenanceException("the " + request.purpose() + " command on " + intent.nodeName() + " "
                    + (e.timeout() != null ? "did not finish within " + Durations.format(e.timeout())
                            + " (command timeout) and was killed" : "was killed: the run was stopped"), e);
        }
        put(state, run, "command_exit", result.exitCode());
        state.put("command_stdout", result.stdout());
        state.put("command_stderr", result.stderr());
        if (!result.succeeded()) {
            throw new MaintenanceException("the " + request.purpose() + " command on " + intent.nodeName() + " "
                    + (result.exitSignal() != null ? "was killed by signal " + result.exitSignal()
                            : "exited with " + result.exitCode())
                    + (result.stderr().isBlank() ? "" : ": " + tail(result.stderr().strip(), 2000)));
        }
        return state;
    }

    /** {@code du -sb <measure_path>} again → {@code after_bytes}. */
    public Map<String, Object> measureAfter(@ExchangeProperty(PROPERTY) Map<String, Object> state,
            @ExchangeProperty(RunContext.PROPERTY) RunContext run) {
        return measure(state, run, "after_bytes");
    }

    /**
     * Scales back what this run took offline; idempotent, so the route may call it from {@code doFinally} and
     * {@code onCompletion} alike (and the run's end hook calls it once more). Makes sure the command is gone from
     * the node first. Puts {@code compensation}. A failed scale-back fails the step with CRITICAL (after the error
     * that led here, if any).
     */
    public Map<String, Object> scaleBack(@ExchangeProperty(PROPERTY) Map<String, Object> state,
            @ExchangeProperty(RunContext.PROPERTY) RunContext run,
            @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable caught, Exchange exchange) {
        Throwable failure = caught != null ? caught : exchange.getException();
        Optional<ScaleBack.Outcome> outcome = compensation.scaleBack(run, "run " + run.runId());
        if (outcome.isEmpty()) {
            return state; // nothing offline: never scaled down, refused, or already scaled back
        }
        if (state != null && outcome.get().details() != null) {
            state.put("compensation", outcome.get().details());
        }
        if (!outcome.get().succeeded()) {
            String critical = "CRITICAL: " + outcome.get().error();
            throw failure == null ? new MaintenanceException(critical)
                    : new MaintenanceException(message(failure) + "; " + critical, failure);
        }
        return state;
    }

    private MaintenanceRequest request(Map<String, Object> state, RunContext run) {
        if (state == null) {
            throw new MaintenanceException("exchange property '" + PROPERTY + "' is missing: the route must set it "
                    + "to the request map (job_name, command, ...) before the offlineMaintenance steps");
        }
        return MaintenanceRequest.from(state, env.timings(), run.job().type());
    }

    /** This run's open intent, i.e. the group is offline for this run; else the step must not go on. */
    private Intent offlineIntent(MaintenanceRequest request, RunContext run, String doing) throws Exception {
        run.checkNotStopped();
        return env.intents().openForRun(run.runId()).orElseThrow(() -> new MaintenanceException(request.target()
                + " is not offline for run " + run.runId() + " (no open intent: scaleDown must come first, and "
                + "nothing may follow the scale-back), so " + doing + " was refused"));
    }

    private Map<String, Object> measure(Map<String, Object> state, RunContext run, String key) {
        MaintenanceRequest request = request(state, run);
        if (request.measurePath() == null) {
            return state;
        }
        String nodeName = required(state, "node_name", "locate");
        run.checkNotStopped();
        run.progress("measuring " + request.measurePath() + " on " + nodeName);
        try (RemoteSession session = env.shell().connect(required(state, "node_addr", "locate"))) {
            put(state, run, key, NodeCommands.measure(session, request.measurePath(), request.commandTimeout()));
        }
        return state;
    }

    private static String required(Map<String, Object> state, String key, String step) {
        Object value = state.get(key);
        if (!(value instanceof String s) || s.isBlank()) {
            throw new MaintenanceException(key + " is not known yet: the " + step + " step must come first");
        }
        return s;
    }

    /** Whether Nomad still has the original count, i.e. a failed scale-down changed nothing. */
    private static boolean unchanged(NomadGroups nomad, MaintenanceRequest request, int original) {
        boolean interrupted = Thread.interrupted();
        try {
            return nomad.count(request.job(), request.group()) == original;
        } catch (RuntimeException e) {
            return false;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void put(Map<String, Object> state, RunContext run, String key, Object value) {
        state.put(key, value);
        run.putResult(key, value);
    }

    private static String message(Throwable t) {
        Throwable root = t;
        while (root instanceof org.apache.camel.RuntimeCamelException && root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null || root.getMessage().isBlank() ? root.getClass().getSimpleName()
                : root.getMessage();
    }

    private static String tail(String text, int max) {
        return text.length() <= max ? text : "…" + text.substring(text.length() - max);
    }
}
