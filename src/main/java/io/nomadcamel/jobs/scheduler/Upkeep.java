package io.nomadcamel.jobs.scheduler;

import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every instance does on each scheduler tick so that runs stay honest across instances: it stops the runs
 * someone asked to stop, renews the leases of the runs executing here (and stops those another instance already
 * gave up for dead), marks runs whose instance stopped renewing ABANDONED (restarting continuous jobs), picks up API
 * jobs created or deleted elsewhere, and applies the run history retention.
 */
final class Upkeep {

    private static final Logger LOG = LoggerFactory.getLogger(Upkeep.class);

    private final Scheduler scheduler;
    private final SchedulerConfig config;
    private final JobRegistry jobs;
    private final RunStore runs;
    private final JobStore jobStore;
    private final RunExecutor executor;
    private final SchedulerMetrics metrics;
    private final Dispatcher dispatcher;
    private long lastLeaseRenewal;
    private long lastRetention;

    Upkeep(Scheduler scheduler, SchedulerConfig config, JobRegistry jobs, RunStore runs, JobStore jobStore,
            RunExecutor executor, SchedulerMetrics metrics, Dispatcher dispatcher) {
        this.scheduler = scheduler;
        this.config = config;
        this.jobs = jobs;
        this.runs = runs;
        this.jobStore = jobStore;
        this.executor = executor;
        this.metrics = metrics;
        this.dispatcher = dispatcher;
    }

    /**
     * A continuous job runs until an operator stops or pauses it. Its restart is normally queued when its run ends;
     * this catches the cases where nobody queued one (an instance died between marking the run ABANDONED and queueing
     * the restart, or a follow-up that could not be written): no active run, and the last run was not stopped via the
     * API, means it is restarted. Instances racing here are refused by the job's lock.
     */
    private void keepContinuousJobsRunning() throws java.sql.SQLException {
        for (JobDefinition job : jobs.all()) {
            if (job.mode() != Mode.CONTINUOUS || !job.enabled() || jobStore.paused(job.id())
                    || !runs.active(job.id()).isEmpty()) {
                continue;
            }
            java.util.Optional<Run> last = runs.lastFinished(job.id());
            if (last.isEmpty() || (last.get().state() == RunState.CANCELLED
                    && Scheduler.STOPPED_VIA_API.equals(last.get().reason()))) {
                continue; // never ran (the start-up run is queued at start) or stopped on purpose
            }
            LOG.warn("Continuous job {} had no active run (last run {} ended {}); restarting it", job.id(),
                    last.get().id(), last.get().state());
            scheduler.restartIfContinuous(last.get());
        }
    }

    void tick() {
        try {
            for (long runId : runs.stopRequested(config.instanceId())) {
                executor.stop(runId, RunState.CANCELLED, Scheduler.STOPPED_VIA_API);
            }
            long nowMillis = System.currentTimeMillis();
            if (nowMillis - lastLeaseRenewal >= config.lease().toMillis() / 3) {
                Instant now = Instant.now();
                for (long lost : runs.renewLeases(config.instanceId(), executor.activeRunIds(),
                        now.plus(config.lease()))) {
                    LOG.error("Run {} was marked ended while it ran here (its lease expired: this instance was too "
                            + "slow to renew it); stopping it, since its job may already run elsewhere", lost);
                    executor.stop(lost, RunState.ABANDONED, "lease lost");
                }
                runs.heartbeat(config.instanceId(), Scheduler.hostName(), String.join(",", config.hostedTypes()),
                        now);
                jobs.syncStored(jobStore).forEach(LOG::warn);
                keepContinuousJobsRunning();
                lastLeaseRenewal = nowMillis;
            }
            for (Run abandoned : runs.abandonExpired(Instant.now())) {
                LOG.warn("Run {} of job {} abandoned: instance {} stopped renewing its lease", abandoned.id(),
                        abandoned.jobId(), abandoned.instance());
                metrics.abandoned(abandoned.jobId(), abandoned.type());
                scheduler.restartIfContinuous(abandoned);
                dispatcher.wake();
            }
            if (nowMillis - lastRetention >= Duration.ofHours(1).toMillis()) {
                int deleted = runs.deleteFinishedBefore(Instant.now().minus(Duration.ofDays(config.keepDays())));
                if (deleted > 0) {
                    LOG.info("Run history retention removed {} runs older than {} days", deleted, config.keepDays());
                }
                lastRetention = nowMillis;
            }
        } catch (Exception e) {
            LOG.error("Scheduler maintenance failed, retrying: {}", e.getMessage(), e);
        }
    }
}
