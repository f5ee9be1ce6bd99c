package io.nomadcamel.jobs.maintenance;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.maintenance.IntentStore.Intent;
import io.nomadcamel.jobs.scheduler.Run;
import io.nomadcamel.jobs.scheduler.RunState;
import io.nomadcamel.jobs.scheduler.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compensates what a dead run left offline. At start-up and then every {@code maintenance.recovery-interval}, each
 * open intent whose run is not alive on any instance is claimed (one instance wins), compensated by
 * {@link ScaleBack} (the command killed on the node, the group scaled back, a running allocation awaited) and the
 * outcome recorded on that run's result ({@code compensation}) and error. Only instances hosting the intent's job
 * type take part, since they are the ones with its Nomad and SSH credentials.
 *
 * <p>A run is alive when it is RUNNING here, or RUNNING elsewhere with a lease that has not passed. A run of this
 * instance's id that is not running here is from before a restart, hence dead.
 */
public final class IntentRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(IntentRecovery.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MaintenanceEnvironment env;
    private final ScaleBack scaleBack;
    private ScheduledExecutorService timer;

    public IntentRecovery(MaintenanceEnvironment env) {
        this.env = env;
        this.scaleBack = new ScaleBack(env);
    }

    public synchronized void start() {
        if (timer != null) {
            return;
        }
        long interval = env.timings().recoveryInterval().toMillis();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "maintenance-recovery");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::checkSafely, 0, interval, TimeUnit.MILLISECONDS);
    }

    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    private void checkSafely() {
        try {
            check();
        } catch (IllegalStateException schedulerNotStarted) {
            LOG.debug("Maintenance recovery waits for the scheduler: {}", schedulerNotStarted.getMessage());
        } catch (Exception e) {
            LOG.error("Maintenance recovery failed, retrying in {}: {}", env.timings().recoveryInterval(),
                    e.getMessage(), e);
        }
    }

    /** One pass over the open intents. */
    void check() throws Exception {
        Scheduler scheduler = env.scheduler();
        String me = scheduler.config().instanceId();
        IntentStore intents = env.intents();
        for (Intent intent : intents.open()) {
            if (Thread.currentThread().isInterrupted()) {
                return; // the application is stopping
            }
            if (!scheduler.config().hosts(intent.jobType())) {
                continue;
            }
            Optional<Run> run = scheduler.runs().find(intent.runId());
            if (alive(run, scheduler, me)) {
                continue;
            }
            Instant now = Instant.now();
            if (!intents.claim(intent.id(), me, now, now.plus(env.timings().claim()))) {
                continue; // another instance is on it
            }
            // as claimed: the run may have recorded its command's marker since the list was read
            Optional<Intent> claimed = intents.find(intent.id()).filter(Intent::open);
            if (claimed.isPresent()) {
                compensate(claimed.get(), run, me);
            }
        }
        for (String key : env.metrics().knownGroups()) {
            String[] jobAndGroup = key.split("\u0000", 2);
            env.metrics().update(jobAndGroup[0], jobAndGroup[1], intents.failedOpen(jobAndGroup[0], jobAndGroup[1]));
        }
    }

    private boolean alive(Optional<Run> found, Scheduler scheduler, String me) throws Exception {
        if (found.isEmpty() || found.get().state() != RunState.RUNNING) {
            return false; // ended (failed, cancelled, abandoned...) or gone from the history
        }
        Run run = found.get();
        if (scheduler.isRunningHere(run.id())) {
            return true;
        }
        if (me.equals(run.instance())) {
            return false;
        }
        Optional<Instant> lease = scheduler.runs().leaseUntil(run.id());
        return lease.isPresent() && lease.get().isAfter(Instant.now());
    }

    private void compensate(Intent intent, Optional<Run> run, String me) {
        String target = intent.job() + "/" + intent.group();
        LOG.warn("Run {} took {} offline and is no longer alive ({}); compensating", intent.runId(), target,
                run.map(r -> r.state() + " on instance " + r.instance()).orElse("not in the run history"));
        String by = "recovery on instance " + me;
        ScaleBack.Outcome outcome = scaleBack.compensate(intent, true,
                text -> LOG.info("Intent {} ({}): {}", intent.id(), target, text), by);
        try {
            if (!outcome.succeeded()) {
                // let the next pass, on any instance, try again
                env.intents().release(intent.id(), me);
            }
            if (run.isPresent()) {
                recordOnRun(run.get(), outcome, by);
            }
        } catch (Exception e) {
            LOG.warn("The compensation of run {} could not be recorded on it: {}", intent.runId(), e.getMessage());
        }
    }

    /**
     * The run as it is now. A run whose lease passed is marked ABANDONED by the scheduler of any live instance within
     * a third of the lease; wait for that (briefly), so that marking does not overwrite what is recorded here.
     */
    private Run settled(Run before) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        Run run = env.scheduler().runs().find(before.id()).orElse(before);
        while (run.state() == RunState.RUNNING && System.nanoTime() < deadline) {
            Thread.sleep(200);
            run = env.scheduler().runs().find(before.id()).orElse(run);
        }
        return run;
    }

    private void recordOnRun(Run before, ScaleBack.Outcome outcome, String by) throws Exception {
        Run run = settled(before);
        Map<String, Object> result = new LinkedHashMap<>();
        if (run.result() != null && !run.result().isBlank()) {
            try {
                result.putAll(JSON.readValue(run.result(), new TypeReference<Map<String, Object>>() { }));
            } catch (Exception notAnObject) {
                result.put("value", run.result());
            }
        }
        result.put("compensation", outcome.details());
        String note = outcome.succeeded()
                ? "compensated after the run ended: " + outcome.details().get("job_name") + "/"
                        + outcome.details().get("group_name") + " scaled back to " + outcome.details().get("count")
                        + " by " + by
                : "CRITICAL: " + outcome.error();
        String error = run.error() == null || run.error().isBlank() ? note : run.error() + "; " + note;
        env.scheduler().runs().amend(run.id(), JSON.writeValueAsString(result), error);
    }
}
