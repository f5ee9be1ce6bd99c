package io.nomadcamel.jobs.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.nomadcamel.jobs.maintenance.IntentStore.Intent;
import io.nomadcamel.jobs.ssh.RemoteSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The compensation of offline maintenance: make sure the command is no longer running on the node, scale the group
 * back to its original count, wait until it runs, close the intent. Used by the run itself (on every exit path after
 * the scale-down) and by crash recovery. Every step is idempotent, so running it twice is harmless.
 *
 * <p>It never scales back while the command might still run: the processes carrying the command's marker are killed,
 * and a container the command ran ({@code ncj-maint-<intent id>}, which lives under the Docker daemon, outside that
 * process group) is removed and seen gone; if the node cannot be checked, the group stays down and the failure is
 * CRITICAL. A failed scale-back is retried with backoff; when the attempts are spent it is logged at
 * ERROR with {@code severity=CRITICAL}, recorded on the intent (which stays open, so recovery keeps trying) and shown
 * by the {@link MaintenanceMetrics#SCALE_BACK_FAILED} gauge until a scale-back succeeds.
 */
public final class ScaleBack {

    private static final Logger LOG = LoggerFactory.getLogger(ScaleBack.class);

    private final MaintenanceEnvironment env;

    public ScaleBack(MaintenanceEnvironment env) {
        this.env = env;
    }

    /** What the compensation did; {@code details} go into the run's result as {@code compensation}. */
    public record Outcome(boolean succeeded, Map<String, Object> details, String error) {
    }

    /**
     * Compensates the intent. A pending interrupt (the run was stopped) is set aside for the duration and restored:
     * a stopped run still scales back.
     *
     * @param commandMayRun the command may still be running on the node (it was stopped, timed out, or its end was
     *                      not seen): it is killed and checked gone before the scale-back
     * @param by            who compensates, for the record: "run 42" or "recovery on instance b"
     */
    public Outcome compensate(Intent intent, boolean commandMayRun, Consumer<String> progress, String by) {
        Attempts attempts = new Attempts(Thread.interrupted());
        try {
            return run(intent, commandMayRun, progress, by, attempts);
        } finally {
            if (attempts.interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Outcome run(Intent intent, boolean commandMayRun, Consumer<String> progress, String by, Attempts attempts) {
        MaintenanceSettings timings = env.timings();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("by", by);
        details.put("job_name", intent.job());
        details.put("group_name", intent.group());
        details.put("count", intent.originalCount());
        if (intent.nodeName() != null) {
            details.put("node_name", intent.nodeName());
        }
        String target = intent.job() + "/" + intent.group();

        if (commandMayRun && intent.commandMarker() != null && intent.nodeAddr() != null) {
            String error = null;
            for (int i = 1; i <= timings.scaleBackAttempts(); i++) {
                progress.accept("making sure the command has stopped on " + intent.nodeName() + " before " + target
                        + " runs again");
                try (RemoteSession session = env.shell().connect(intent.nodeAddr())) {
                    NodeCommands.killMarked(session, intent.commandMarker(), timings.killGrace());
                    if (intent.containerName() != null) {
                        // the daemon's container outlives the killed client (a SIGKILL is not proxied to it)
                        progress.accept("removing container " + intent.containerName() + " on " + intent.nodeName());
                        NodeCommands.removeContainer(session, timings.dockerBin(), intent.containerName(),
                                timings.containerGone(), timings.pollInterval());
                    }
                    error = null;
                    break;
                } catch (RuntimeException e) {
                    error = "could not make sure the command stopped on node " + intent.nodeName() + " ("
                            + intent.nodeAddr() + ")" + (intent.containerName() == null ? ""
                                    : " and its container " + intent.containerName() + " is gone")
                            + ", so " + target + " was not scaled back: " + e.getMessage();
                    LOG.warn("Attempt {}/{}: {}", i, timings.scaleBackAttempts(), error);
                    attempts.clearInterrupt();
                    if (i < timings.scaleBackAttempts()) {
                        attempts.pause(i, timings);
                    }
                }
            }
            if (error != null) {
                return failed(intent, details, error);
            }
            details.put("command_stopped", true);
            if (intent.containerName() != null) {
                details.put("container_removed", intent.containerName());
            }
        }

        String error = null;
        int used = 0;
        for (int i = 1; i <= timings.scaleBackAttempts(); i++) {
            used = i;
            progress.accept("scaling " + target + " back to " + intent.originalCount() + " (attempt " + i + "/"
                    + timings.scaleBackAttempts() + ")");
            try {
                env.nomad().scale(intent.job(), intent.group(), intent.originalCount(),
                        "nomad-camel-jobs " + by + ": scaling back to " + intent.originalCount()
                                + " after offline maintenance");
                error = null;
                break;
            } catch (RuntimeException e) {
                error = "scale-back of " + target + " to " + intent.originalCount() + " failed: " + e.getMessage();
                LOG.warn("Attempt {}/{}: {}", i, timings.scaleBackAttempts(), error);
                record(intent, error);
                attempts.clearInterrupt();
                if (i < timings.scaleBackAttempts()) {
                    attempts.pause(i, timings);
                }
            }
        }
        details.put("attempts", used);
        if (error != null) {
            return failed(intent, details, error + " (after " + used + " attempts)");
        }

        progress.accept("waiting for " + target + " to run again");
        List<String> running = awaitRunning(intent, timings, attempts);
        if (running.size() < intent.originalCount()) {
            return failed(intent, details, target + " was scaled back to " + intent.originalCount() + " but "
                    + running.size() + " allocation(s) ran within " + io.nomadcamel.jobs.Durations.format(
                            timings.startTimeout()));
        }
        details.put("allocations", running);
        details.put("status", "scaled back");
        details.put("at", Instant.now().toString());
        try {
            env.intents().close(intent.id(), "scaled back to " + intent.originalCount() + " by " + by
                    + "; running " + running, Instant.now());
        } catch (Exception e) {
            // the group runs; an intent left open only means one more (harmless) scale-back by recovery
            LOG.warn("Intent {} of {} could not be closed: {}", intent.id(), target, e.getMessage());
        }
        refreshMetric(intent);
        LOG.info("{} scaled back to {} by {}; running allocation(s) {}", target, intent.originalCount(), by, running);
        return new Outcome(true, details, null);
    }

    private List<String> awaitRunning(Intent intent, MaintenanceSettings timings, Attempts attempts) {
        long deadline = System.nanoTime() + timings.startTimeout().toNanos();
        List<String> running = List.of();
        while (true) {
            try {
                running = env.nomad().running(intent.job(), intent.group());
                if (running.size() >= intent.originalCount()) {
                    return running;
                }
            } catch (RuntimeException e) {
                LOG.warn("Looking for running allocations of {}/{} failed, still waiting: {}", intent.job(),
                        intent.group(), e.getMessage());
                attempts.clearInterrupt();
            }
            if (System.nanoTime() > deadline) {
                return running;
            }
            attempts.sleep(timings.pollInterval());
        }
    }

    private Outcome failed(Intent intent, Map<String, Object> details, String error) {
        record(intent, error);
        details.put("status", "failed");
        details.put("error", error);
        try (MDC.MDCCloseable ignored = MDC.putCloseable("severity", "CRITICAL")) {
            LOG.error("CRITICAL: {} is still offline: {}. It stays recorded as intent {} and recovery keeps "
                    + "trying; scale it back by hand if this persists", intent.job() + "/" + intent.group(), error,
                    intent.id());
        }
        refreshMetric(intent);
        return new Outcome(false, details, error);
    }

    private void record(Intent intent, String error) {
        try {
            env.intents().recordFailure(intent.id(), error);
        } catch (Exception e) {
            LOG.warn("Could not record the failure on intent {}: {}", intent.id(), e.getMessage());
        }
    }

    void refreshMetric(Intent intent) {
        try {
            env.metrics().update(intent.job(), intent.group(), env.intents().failedOpen(intent.job(),
                    intent.group()));
        } catch (Exception e) {
            LOG.warn("Could not update {}: {}", MaintenanceMetrics.SCALE_BACK_FAILED, e.getMessage());
        }
    }

    /** Pauses between attempts that a stop of the run cannot cut short; remembers the interrupt for later. */
    private static final class Attempts {
        boolean interrupted;

        Attempts(boolean interrupted) {
            this.interrupted = interrupted;
        }

        void pause(int failedAttempts, MaintenanceSettings timings) {
            sleep(timings.backoff(failedAttempts));
        }

        void sleep(Duration d) {
            long end = System.nanoTime() + d.toNanos();
            for (long left = d.toNanos(); left > 0; left = end - System.nanoTime()) {
                try {
                    Thread.sleep(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }

        void clearInterrupt() {
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
    }
}
