package io.nomadcamel.jobs.maintenance;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.nomadcamel.jobs.maintenance.IntentStore.Intent;
import io.nomadcamel.jobs.scheduler.RunContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scale-back of one run's offline maintenance, as every layer of a run calls it: the route's {@code doFinally}
 * and {@code onCompletion} steps, then the run's end hook. It re-reads the run's intent each time (closed or absent:
 * nothing to do) and runs one call at a time per run, so the layers never scale back twice. A scale-back that failed
 * in this run is not tried again by the run's later layers (its attempts are spent; recovery retries once the run has
 * ended, as for a crash) but is reported again, so that no layer can report success.
 */
final class RunCompensation {

    private static final Logger LOG = LoggerFactory.getLogger(RunCompensation.class);

    private final MaintenanceEnvironment env;
    private final ScaleBack scaleBack;
    private final Map<Long, Object> locks = new ConcurrentHashMap<>();
    private final Map<Long, String> failed = new ConcurrentHashMap<>();

    RunCompensation(MaintenanceEnvironment env) {
        this.env = env;
        this.scaleBack = new ScaleBack(env);
    }

    /**
     * Scales back what the run took offline, if anything is still offline. Empty: nothing to do. A pending interrupt
     * (the run was stopped) is set aside meanwhile and restored.
     *
     * @param by who compensates, for the record ("run 42")
     */
    Optional<ScaleBack.Outcome> scaleBack(RunContext run, String by) {
        boolean interrupted = Thread.interrupted();
        try {
            synchronized (locks.computeIfAbsent(run.runId(), id -> new Object())) {
                String earlier = failed.get(run.runId());
                if (earlier != null) {
                    return Optional.of(new ScaleBack.Outcome(false, null, earlier));
                }
                Optional<Intent> intent;
                try {
                    intent = env.intents().openForRun(run.runId());
                } catch (Exception e) {
                    // not remembered: a later layer reads again, and recovery compensates once the run has ended
                    return Optional.of(new ScaleBack.Outcome(false, null, "the maintenance intent of run "
                            + run.runId() + " could not be read (" + e.getMessage() + "); recovery scales back what "
                            + "it holds offline once the run has ended"));
                }
                if (intent.isEmpty()) {
                    return Optional.empty();
                }
                ScaleBack.Outcome outcome = scaleBack.compensate(intent.get(), intent.get().commandMarker() != null,
                        run::progress, by);
                run.putResult("compensation", outcome.details());
                if (!outcome.succeeded()) {
                    failed.put(run.runId(), outcome.error());
                    release(intent.get());
                }
                return Optional.of(outcome);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The run's end hook (registered by the scale-down): the last layer inside the run. If the route left the group
     * offline (an edit removed its scale-back steps, a {@code stop} skipped them), it scales back here.
     */
    String atRunEnd(RunContext run) {
        try {
            Optional<ScaleBack.Outcome> outcome = scaleBack(run, "run " + run.runId() + " (end hook: the route did not "
                    + "scale back)");
            if (outcome.isPresent() && outcome.get().details() != null) {
                LOG.warn("Run {} ended with {}/{} still offline: its route did not scale back (a doFinally or "
                        + "onCompletion removed or skipped?); the run's end hook did", run.runId(),
                        outcome.get().details().get("job_name"), outcome.get().details().get("group_name"));
            }
            return outcome.filter(o -> !o.succeeded()).map(o -> "CRITICAL: " + o.error()).orElse(null);
        } finally {
            locks.remove(run.runId());
            failed.remove(run.runId());
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
}
