package io.nomadcamel.jobs.maintenance;

import java.time.Instant;
import java.util.LinkedHashMap;
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
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The building block "offline maintenance of a Nomad job", for routes: find the node of the group's running
 * allocation → measure ({@code du -sb}, optional) → record the intent → scale the group to 0 → wait until no
 * allocation runs → run the command on that node over SSH → measure again → scale back to the original count and
 * wait for a running allocation.
 *
 * <p>The compensation lives here, not in the route, so no YAML edit or reload can drop it. It is armed only once the
 * scale-down succeeded and then runs on every exit path: command failure, command timeout, drain timeout, a stop
 * through the API, the run's timeout, application shutdown (all of which interrupt this thread; the command is
 * killed on the node first). A crash is covered by the intent row, which recovery compensates
 * ({@link IntentRecovery}).
 *
 * <p>The body in is a {@link MaintenanceRequest}; the body out is the same map plus {@code node_name},
 * {@code node_addr}, {@code before_bytes}, {@code after_bytes} (with {@code measure_path}), {@code command_exit},
 * {@code command_stdout}, {@code command_stderr} and {@code compensation}, for the route's next step to report.
 */
public final class OfflineMaintenance {

    private static final Logger LOG = LoggerFactory.getLogger(OfflineMaintenance.class);

    private final MaintenanceEnvironment env;
    private final ScaleBack scaleBack;

    public OfflineMaintenance(MaintenanceEnvironment env) {
        this.env = env;
        this.scaleBack = new ScaleBack(env);
    }

    public Map<String, Object> run(@Body Map<String, Object> body,
            @ExchangeProperty(RunContext.PROPERTY) RunContext run) throws Exception {
        MaintenanceSettings timings = env.timings();
        MaintenanceRequest request = MaintenanceRequest.from(body, timings, run.job().type());
        Map<String, Object> out = new LinkedHashMap<>(body);
        NomadGroups nomad = env.nomad();
        String target = request.target();

        run.progress("looking up " + target + " in Nomad");
        Optional<Intent> busy = env.intents().openFor(request.job(), request.group());
        if (busy.isPresent()) {
            // said before reading the count: a group another maintenance holds offline is at 0 for that reason
            throw new IntentStore.GroupBusyException(request.job(), request.group(), busy.get());
        }
        int original = nomad.count(request.job(), request.group());
        if (original < 1) {
            throw new MaintenanceException(target + " is scaled to 0: nothing runs to take offline (if an earlier "
                    + "maintenance left it there, see the CRITICAL log lines and metric " + MaintenanceMetrics
                    .SCALE_BACK_FAILED + ")");
        }
        Placement where = nomad.locate(request.job(), request.group());
        put(out, run, "node_name", where.nodeName());
        put(out, run, "node_addr", where.nodeAddr());
        run.checkNotStopped();

        try (RemoteSession session = env.shell().connect(where.nodeAddr())) {
            if (request.measurePath() != null) {
                run.progress("measuring " + request.measurePath() + " on " + where.nodeName());
                put(out, run, "before_bytes", NodeCommands.measure(session, request.measurePath(),
                        request.commandTimeout()));
            }
            run.checkNotStopped();
            Intent intent = env.intents().open(run.runId(), run.job().type(), env.scheduler().config().instanceId(),
                    request.job(), request.group(), original, where.nodeName(), where.nodeAddr(), Instant.now());
            run.progress("scaling " + target + " to 0 on " + where.nodeName());
            try {
                nomad.scale(request.job(), request.group(), 0, "nomad-camel-jobs run " + run.runId() + " ("
                        + request.purpose() + "): offline maintenance, scaled back to " + original + " afterwards");
            } catch (RuntimeException e) {
                if (unchanged(nomad, request, original)) {
                    // Nomad refused the change: nothing was taken offline, so there is nothing to compensate
                    env.intents().close(intent.id(), "not needed: the scale-down failed: " + e.getMessage(),
                            Instant.now());
                    throw e;
                }
                // the scale-down may have happened although the call failed: compensate as for any later failure
                return compensateThen(e, intent, false, out, run);
            }
            // ---- the group is offline: from here on the compensation runs on every exit path ----
            return offlineWork(request, where, session, intent, out, run, timings);
        }
    }

    private Map<String, Object> offlineWork(MaintenanceRequest request, Placement where, RemoteSession session,
            Intent intent, Map<String, Object> out, RunContext run, MaintenanceSettings timings) {
        Intent current = intent;
        boolean commandStarted = false;
        try {
            awaitDrained(request, timings, run);
            String marker = NodeCommands.marker(intent.id(), run.runId());
            if (!env.intents().setCommandMarker(intent.id(), marker)) {
                throw new MaintenanceException("recovery took over " + request.target() + " (this run was thought "
                        + "dead: its lease had expired), so the " + request.purpose() + " command was not started");
            }
            current = env.intents().find(intent.id()).orElse(intent);
            run.progress("running the " + request.purpose() + " command on " + where.nodeName());
            commandStarted = true;
            CommandResult result;
            try {
                result = session.execute(NodeCommands.marked(marker, request.command()), null,
                        request.commandTimeout());
            } catch (CommandTimeoutException e) {
                // RemoteSession has killed the command's process group; the compensation checks it is gone
                throw new MaintenanceException("the " + request.purpose() + " command on " + where.nodeName() + " "
                        + (e.timeout() != null ? "did not finish within " + Durations.format(e.timeout())
                                + " (command timeout) and was killed" : "was killed: the run was stopped"), e);
            }
            put(out, run, "command_exit", result.exitCode());
            out.put("command_stdout", result.stdout());
            out.put("command_stderr", result.stderr());
            if (!result.succeeded()) {
                throw new MaintenanceException("the " + request.purpose() + " command on " + where.nodeName() + " "
                        + (result.exitSignal() != null ? "was killed by signal " + result.exitSignal()
                                : "exited with " + result.exitCode())
                        + (result.stderr().isBlank() ? "" : ": " + tail(result.stderr().strip(), 2000)));
            }
            if (request.measurePath() != null) {
                run.progress("measuring " + request.measurePath() + " on " + where.nodeName());
                put(out, run, "after_bytes", NodeCommands.measure(session, request.measurePath(),
                        request.commandTimeout()));
            }
        } catch (Throwable failure) {
            return compensateThen(failure, current, commandStarted, out, run);
        }
        return compensateThen(null, current, commandStarted, out, run);
    }

    /** Runs the compensation, records it on the run, and ends as the work did (or fails if it did not succeed). */
    private Map<String, Object> compensateThen(Throwable failure, Intent intent, boolean commandStarted,
            Map<String, Object> out, RunContext run) {
        if (failure != null) {
            LOG.warn("Run {}: offline maintenance of {}/{} failed, scaling back: {}", run.runId(), intent.job(),
                    intent.group(), failure.getMessage());
        }
        ScaleBack.Outcome compensation = scaleBack.compensate(intent, commandStarted, run::progress,
                "run " + run.runId());
        put(out, run, "compensation", compensation.details());
        if (!compensation.succeeded()) {
            release(intent);
        }
        if (failure == null && compensation.succeeded()) {
            return out;
        }
        if (failure == null) {
            throw new MaintenanceException("CRITICAL: " + compensation.error());
        }
        if (!compensation.succeeded()) {
            throw new MaintenanceException(message(failure) + "; CRITICAL: " + compensation.error(), failure);
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        throw new MaintenanceException(message(failure), failure);
    }

    /** Polls until no allocation of the group runs or starts, bounded by the drain timeout. */
    private void awaitDrained(MaintenanceRequest request, MaintenanceSettings timings, RunContext run)
            throws InterruptedException {
        long deadline = System.nanoTime() + request.drainTimeout().toNanos();
        NomadGroups nomad = env.nomad();
        while (true) {
            run.checkNotStopped();
            Set<String> active = nomad.active(request.job(), request.group());
            if (active.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new MaintenanceException(request.target() + " did not stop within "
                        + Durations.format(request.drainTimeout()) + " (drain_timeout) after the scale-down: "
                        + "allocation(s) " + active + " still running; the command was not run");
            }
            run.progress("waiting for " + request.target() + " to stop: " + active.size()
                    + " allocation(s) still running");
            Thread.sleep(timings.pollInterval().toMillis());
        }
    }

    /** Lets recovery (on any instance) retry at once once this run has ended. */
    private void release(Intent intent) {
        try {
            env.intents().release(intent.id(), env.scheduler().config().instanceId());
        } catch (Exception e) {
            LOG.warn("Intent {} could not be released for recovery: {}", intent.id(), e.getMessage());
        }
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

    private static void put(Map<String, Object> out, RunContext run, String key, Object value) {
        out.put(key, value);
        run.putResult(key, value);
    }

    private static String message(Throwable t) {
        return t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static String tail(String text, int max) {
        return text.length() <= max ? text : "…" + text.substring(text.length() - max);
    }
}
