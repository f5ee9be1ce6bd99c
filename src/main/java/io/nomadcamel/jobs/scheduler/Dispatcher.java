package io.nomadcamel.jobs.scheduler;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.store.Sql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims the pending runs this instance may run, in queue order, starts them, and records how each ended together
 * with what follows it (a retry, or a continuous job's restart) in one transaction.
 */
final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchedulerConfig config;
    private final JobRegistry jobs;
    private final Sql sql;
    private final RunStore runs;
    private final JobStore jobStore;
    private final RunExecutor executor;
    private final SchedulerMetrics metrics;
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running;
    private Thread thread;

    Dispatcher(SchedulerConfig config, JobRegistry jobs, Sql sql, RunExecutor executor, SchedulerMetrics metrics) {
        this.config = config;
        this.jobs = jobs;
        this.sql = sql;
        this.runs = new RunStore(sql);
        this.jobStore = new JobStore(sql);
        this.executor = executor;
        this.metrics = metrics;
    }

    void start() {
        running = true;
        thread = new Thread(this::dispatchLoop, "scheduler-dispatcher");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Takes no more work, and returns once a dispatch in progress is over: a run claimed after this returns would
     * escape the shutdown's stop. Runs already started are the executor's to stop.
     */
    void stop() {
        running = false;
        wake();
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Something changed (a run was queued or ended): look at the pending runs now. */
    void wake() {
        wake.release();
    }

    /** Wakes on triggers and finished runs, or every poll interval for work other instances queued. */
    private void dispatchLoop() {
        while (running) {
            try {
                wake.tryAcquire(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
                if (running) {
                    dispatchOnce();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.error("Dispatching failed, retrying: {}", e.getMessage(), e);
            }
        }
    }

    /** Claims what this instance may run, in queue order; a queue's head blocks the rest of its queue (FIFO). */
    void dispatchOnce() throws SQLException {
        Instant now = Instant.now();
        Set<String> blockedQueues = new HashSet<>();
        for (Run run : runs.pending(500)) {
            if (!running) {
                return;
            }
            if (run.queue() != null && !blockedQueues.add(run.queue())) {
                continue;
            }
            Optional<JobDefinition> job = jobs.find(run.jobId());
            if (job.isEmpty()) {
                if (!jobs.storedButNotLoadable(run.jobId())) {
                    runs.cancelPending(run.id(), "job no longer exists", now);
                } // else stored, but this instance cannot load it (its type is unknown here): left to one that can
                continue;
            }
            if (!config.hosts(run.type()) || (run.notBefore() != null && run.notBefore().isAfter(now))
                    || executor.activeCount() >= config.maxConcurrentRuns()) {
                continue;
            }
            Instant started = Instant.now();
            if (runs.claim(run.id(), config.instanceId(), started, started.plus(config.lease()))) {
                start(run, job.get(), started);
            }
        }
    }

    private void start(Run run, JobDefinition job, Instant started) {
        Map<String, Object> input = parse(run.input());
        executor.execute(run, job, input, text -> {
            try {
                runs.progress(run.id(), text);
            } catch (SQLException e) {
                LOG.warn("Progress of run {} not saved: {}", run.id(), e.getMessage());
            }
        }, outcome -> finish(run, job, started, outcome));
    }

    /**
     * Stores the outcome and, in the same transaction, the retry or restart that follows it. A write that fails (a
     * database failover, a late interrupt) is tried again; if it never gets through, the run's lease is no longer
     * renewed, so the run ends ABANDONED instead of blocking its job.
     */
    private void finish(Run run, JobDefinition job, Instant started, RunExecutor.Outcome outcome) {
        for (int attempt = 1; attempt <= FINISH_ATTEMPTS; attempt++) {
            Thread.interrupted(); // a stop racing the end of the run must not fail its record
            try {
                record(run, job, started, outcome);
                break;
            } catch (SQLException | RuntimeException e) {
                if (attempt == FINISH_ATTEMPTS) {
                    LOG.error("Run {} of job {} ended {} but could not be recorded ({} attempts): {}; it will be "
                            + "marked ABANDONED when its lease expires", run.id(), job.id(), outcome.state(),
                            FINISH_ATTEMPTS, e.getMessage(), e);
                } else {
                    LOG.warn("Recording the end of run {} failed, retrying: {}", run.id(), e.getMessage());
                    pause(attempt * 500L);
                }
            }
        }
        wake();
    }

    private static final int FINISH_ATTEMPTS = 3;

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            // the run is over: nothing left to interrupt, the next attempt follows at once
        }
    }

    private void record(Run run, JobDefinition job, Instant started, RunExecutor.Outcome outcome)
            throws SQLException {
        Instant now = Instant.now();
        sql.inTransaction(() -> {
            if (!runs.finish(run.id(), outcome.state(), outcome.reason(), outcome.result(), outcome.error(), now)) {
                return null; // abandoned meanwhile: another instance owns what follows
            }
            FollowUp next = followUp(run, job, outcome, started, now);
            if (next != null) {
                try {
                    runs.insertPending(job, next.trigger, run.input(), next.attempt, null, now.plus(next.delay),
                            now);
                } catch (RunStore.ActiveRunExists impossible) {
                    LOG.warn("Follow-up of run {} refused: {}", run.id(), impossible.getMessage());
                }
            }
            return null;
        });
        metrics.finished(job, outcome.state(), Duration.between(started, now));
        LOG.info("Run {} of job {} ended {}{}", run.id(), job.id(), outcome.state(),
                outcome.error() == null ? "" : ": " + outcome.error());
    }

    private record FollowUp(String trigger, int attempt, Duration delay) {
    }

    private FollowUp followUp(Run run, JobDefinition job, RunExecutor.Outcome outcome, Instant started, Instant now)
            throws SQLException {
        boolean stopped = outcome.state() == RunState.CANCELLED;
        boolean failed = outcome.state() == RunState.FAILED || outcome.state() == RunState.TIMED_OUT;
        if (stopped || !running) {
            return null;
        }
        Optional<JobDefinition> current = jobs.find(job.id());
        if (job.mode() == Mode.CONTINUOUS) {
            if (current.isEmpty() || !current.get().enabled() || jobStore.paused(job.id())) {
                return null;
            }
            if (!failed) {
                return new FollowUp(Run.RESTART, 1, job.restartDelay());
            }
            int streak = failureStreak(job.id());
            return new FollowUp(Run.RESTART, 1,
                    SchedulerConfig.backoff(config.continuousBackoff(), config.continuousBackoffMax(), streak));
        }
        if (failed && run.attempt() < job.maxAttempts()) {
            return new FollowUp(run.trigger(), run.attempt() + 1,
                    SchedulerConfig.backoff(config.retryBackoff(), config.retryBackoffMax(), run.attempt()));
        }
        return null;
    }

    /** Consecutive failed runs, newest first, stopping at a success or a run that stayed healthy long enough. */
    private int failureStreak(String jobId) throws SQLException {
        int streak = 0;
        for (Run r : runs.list(jobId, null, 50)) {
            if (r.state() == RunState.PENDING || r.state() == RunState.RUNNING) {
                continue;
            }
            boolean failed = r.state() == RunState.FAILED || r.state() == RunState.TIMED_OUT
                    || r.state() == RunState.ABANDONED;
            boolean healthy = r.startedAt() != null && r.finishedAt() != null
                    && Duration.between(r.startedAt(), r.finishedAt()).compareTo(config.continuousHealthy()) >= 0;
            if (!failed || healthy) {
                break;
            }
            streak++;
        }
        return streak;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String json) {
        try {
            return json == null ? Map.of() : JSON.readValue(json, Map.class);
        } catch (Exception e) {
            return Map.of();
        }
    }
}
