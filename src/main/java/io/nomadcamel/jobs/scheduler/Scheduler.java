package io.nomadcamel.jobs.scheduler;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.nomadcamel.jobs.store.Sql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns when and how every job runs. Every start goes through the database: a trigger, a schedule slot, a retry or a
 * restart inserts a PENDING run; the dispatcher of an instance that hosts the job's type claims it and runs it. The
 * database's locks make "one active run per job" and "one running run per queue" hold across instances.
 */
public final class Scheduler {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /** The reason of a run an operator stopped: for a continuous job, "do not restart". */
    static final String STOPPED_VIA_API = "stopped via API";

    private final SchedulerConfig config;
    private final JobRegistry jobs;
    private final Sql sql;
    private final RunStore runs;
    private final JobStore jobStore;
    private final RunExecutor executor;
    private final SchedulerMetrics metrics;
    private final QuartzTicker ticker;
    private final Dispatcher dispatcher;
    private final ScheduledExecutorService maintenance =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "scheduler-maintenance"));
    private final Upkeep upkeep;
    private final JobReadiness readiness;
    private volatile boolean running;

    Scheduler(SchedulerConfig config, JobRegistry jobs, Sql sql, RunExecutor executor, SchedulerMetrics metrics,
            QuartzTickerFactory tickerFactory) throws Exception {
        this.config = config;
        this.jobs = jobs;
        this.sql = sql;
        this.runs = new RunStore(sql);
        this.jobStore = new JobStore(sql);
        this.executor = executor;
        this.metrics = metrics;
        this.ticker = tickerFactory.create(this::onSlot);
        this.dispatcher = new Dispatcher(config, jobs, sql, executor, metrics);
        this.upkeep = new Upkeep(this, config, jobs, runs, jobStore, executor, metrics, dispatcher);
        this.readiness = new JobReadiness(jobs, config);
    }

    /** Builds the ticker once the scheduler's slot callback exists. */
    interface QuartzTickerFactory {
        QuartzTicker create(java.util.function.BiConsumer<String, Instant> onSlot) throws Exception;
    }

    public SchedulerConfig config() {
        return config;
    }

    public JobRegistry jobs() {
        return jobs;
    }

    public RunStore runs() {
        return runs;
    }

    public JobStore jobStore() {
        return jobStore;
    }

    public JobReadiness readiness() {
        return readiness;
    }

    // ---- lifecycle ------------------------------------------------------------------------------------------

    public synchronized void start() throws Exception {
        if (running) {
            return; // Camel calls start-up listeners found in the registry as well as registered ones
        }
        Instant now = Instant.now();
        runs.heartbeat(config.instanceId(), hostName(), String.join(",", config.hostedTypes()), now);
        running = true;
        for (JobDefinition job : jobs.all()) {
            prepare(job, now);
        }
        ticker.start();
        for (JobDefinition job : jobs.all()) {
            boolean continuous = job.mode() == Mode.CONTINUOUS && !jobStore.paused(job.id());
            if (job.enabled() && (continuous || job.runAtStartup())) {
                try {
                    enqueue(job, Run.STARTUP, Map.of(), 1, null, null);
                } catch (RunStore.ActiveRunExists active) {
                    // left by a previous life of this instance (ABANDONED once its lease passes) or run by another
                    LOG.info("Job {} already has an active run: no start-up run", job.id());
                }
            }
        }
        readiness.notReadyEnabled().forEach((job, problems) -> LOG.warn("Job {} is not ready on this instance: {}",
                job, String.join("; ", problems)));
        dispatcher.start();
        long tick = Math.max(100, Math.min(config.pollInterval().toMillis(), config.lease().toMillis() / 3));
        maintenance.scheduleWithFixedDelay(upkeep::tick, tick, tick, TimeUnit.MILLISECONDS);
        LOG.info("Scheduler started as instance {} with {} jobs{}", config.instanceId(), jobs.all().size(),
                config.hostedTypes().isEmpty() ? "" : ", running only " + config.hostedTypes());
    }

    /** Graceful shutdown: take no more work, stop runs cooperatively, wait up to the bound, mark what is left. */
    public void shutdown() {
        if (!running) {
            return;
        }
        running = false;
        ticker.shutdown();
        maintenance.shutdownNow();
        dispatcher.stop();
        Set<Long> left = executor.activeRunIds();
        List<Run> continuous = new java.util.ArrayList<>();
        for (long runId : left) {
            try {
                runs.find(runId).filter(r -> jobs.find(r.jobId()).map(j -> j.mode() == Mode.CONTINUOUS)
                        .orElse(false)).ifPresent(continuous::add);
            } catch (SQLException e) {
                LOG.warn("Could not read run {} at shutdown: {}", runId, e.getMessage());
            }
        }
        executor.stopAll("application shutdown", config.shutdownTimeout().toMillis());
        for (long runId : executor.activeRunIds()) {
            try {
                runs.finish(runId, RunState.ABANDONED, "shutdown", null,
                        "the run did not stop within " + config.shutdownTimeout() + " of shutdown", Instant.now());
            } catch (SQLException e) {
                LOG.error("Could not mark run {} abandoned at shutdown: {}", runId, e.getMessage());
            }
        }
        for (Run stopped : continuous) {
            try {
                // a continuous job outlives its instance: the restart waits for another instance (or this one's
                // next start)
                restartIfContinuous(stopped);
            } catch (SQLException e) {
                LOG.error("Continuous job {} could not be handed over at shutdown: {}", stopped.jobId(),
                        e.getMessage());
            }
        }
        try {
            runs.removeInstance(config.instanceId());
        } catch (SQLException e) {
            LOG.warn("Could not remove instance {}: {}", config.instanceId(), e.getMessage());
        }
        LOG.info("Scheduler stopped; {} runs were active", left.size());
    }

    /** Schedules a recurring job and catches up the slot it missed while no instance ran. */
    private void prepare(JobDefinition job, Instant now) throws Exception {
        Instant firstSlotFrom = job.recurring() ? now : null;
        jobStore.ensureState(job.id(), firstSlotFrom);
        metrics.registerJob(job, runs.lastSucceeded(job.id()).orElse(null));
        metrics.registerReady(job, () -> readiness.readyValue(job.id()));
        if (!job.recurring() || !job.enabled()) {
            return;
        }
        // slots up to now are the catch-up's; Quartz fires every slot after now, however long start-up takes
        Instant last = jobStore.lastSlot(job.id()).orElse(now);
        Instant missed = Schedules.latestAtOrBefore(job, last, now);
        if (missed != null) {
            takeSlot(job.id(), missed, true);
        }
        ticker.schedule(job, now);
    }

    // ---- what starts runs --------------------------------------------------------------------------------------

    /**
     * A schedule slot fired (or was found missed at start-up). One instance wins the slot; earlier slots nobody took
     * are recorded as misfires.
     */
    void onSlot(String jobId, Instant slot) {
        takeSlot(jobId, slot, false);
    }

    /**
     * {@code missed}: the slot passed while no instance ran, so it runs only within the catch-up window. A slot
     * Quartz fires now runs however late the fire is (Quartz itself drops fires over a minute late).
     */
    private void takeSlot(String jobId, Instant slot, boolean missed) {
        Optional<JobDefinition> found = jobs.find(jobId);
        if (found.isEmpty() || !running) {
            return;
        }
        JobDefinition job = found.get();
        try {
            if (!job.enabled() || jobStore.paused(job.id())) {
                return;
            }
            Optional<Instant> previous = jobStore.takeSlot(job.id(), slot);
            if (previous.isEmpty()) {
                return; // another instance took it
            }
            Instant now = Instant.now();
            List<Instant> skipped = Schedules.between(job, previous.get(), slot.minusMillis(1), 100);
            for (Instant s : skipped) {
                skip(job, "misfire", s, now);
            }
            if (missed && Duration.between(slot, now).compareTo(job.catchup()) > 0) {
                skip(job, "misfire", slot, now);
                return;
            }
            try {
                enqueue(job, Run.SCHEDULE, Map.of(), 1, slot, null);
            } catch (RunStore.ActiveRunExists busy) {
                skip(job, "overlap", slot, now);
            }
        } catch (Exception e) {
            LOG.error("Schedule slot {} of job {} could not be handled: {}", slot, jobId, e.getMessage(), e);
        }
    }

    private void skip(JobDefinition job, String reason, Instant slot, Instant now) throws SQLException {
        runs.insertSkipped(job, Run.SCHEDULE, reason, slot, now);
        metrics.skipped(job, reason);
    }

    /**
     * Starts a run now (API or start-up); for a queued job, queues it. The override merged over the job's input must
     * keep the type's input contract: checked first, so a bad input is refused whether or not a run is active.
     *
     * @throws InputSchema.InvalidInputException naming the input field; nothing is recorded
     */
    public Run trigger(String jobId, String trigger, Map<String, Object> override) throws SQLException,
            RunStore.ActiveRunExists, JobNotFoundException, JobDisabledException {
        JobDefinition job = jobs.find(jobId).orElseThrow(() -> new JobNotFoundException(jobId));
        jobs.definitions().contracts().check(job.type(), merged(job, override));
        if (!job.enabled()) {
            throw new JobDisabledException(jobId);
        }
        long id = enqueue(job, trigger, override, 1, null, null);
        return runs.find(id).orElseThrow();
    }

    private long enqueue(JobDefinition job, String trigger, Map<String, Object> override, int attempt, Instant slot,
            Instant notBefore) throws SQLException, RunStore.ActiveRunExists {
        long id = runs.insertPending(job, trigger, RunExecutor.json(merged(job, override)), attempt, slot, notBefore,
                Instant.now());
        dispatcher.wake();
        return id;
    }

    /** A run's input: the trigger's override merged over the job's input, field by field. */
    private static Map<String, Object> merged(JobDefinition job, Map<String, Object> override) {
        Map<String, Object> input = new LinkedHashMap<>(job.input());
        input.putAll(override);
        return input;
    }

    /** Stops a run: a pending one is cancelled, a running one is stopped by the instance that runs it. */
    public StopResult stop(long runId) throws SQLException {
        Optional<Run> run = runs.find(runId);
        if (run.isEmpty()) {
            return StopResult.NOT_FOUND;
        }
        if (run.get().state().finished()) {
            return StopResult.ALREADY_FINISHED;
        }
        if (run.get().state() == RunState.PENDING && runs.cancelPending(runId, STOPPED_VIA_API, Instant.now())) {
            return StopResult.STOPPING;
        }
        if (executor.stop(runId, RunState.CANCELLED, STOPPED_VIA_API) || runs.requestStop(runId)) {
            return StopResult.STOPPING;
        }
        return StopResult.ALREADY_FINISHED;
    }

    public enum StopResult { NOT_FOUND, ALREADY_FINISHED, STOPPING }

    public void pause(String jobId, boolean paused) throws Exception {
        JobDefinition job = jobs.find(jobId).orElseThrow(() -> new JobNotFoundException(jobId));
        jobStore.setPaused(jobId, paused);
        if (job.recurring() && job.enabled() && !paused) {
            // slots that passed while paused are not missed: the schedule resumes from now
            jobStore.takeSlot(jobId, Instant.now());
        }
        if (job.mode() == Mode.CONTINUOUS && job.enabled() && !paused) {
            try {
                enqueue(job, Run.RESTART, Map.of(), 1, null, null); // a paused continuous job was not restarted
            } catch (RunStore.ActiveRunExists stillRunning) {
                // it kept running through the pause (pausing does not stop a run)
            }
        }
    }

    /** Adds an API job: stored, then scheduled. */
    public void create(JobDefinition job, String definitionJson) throws Exception {
        if (jobs.find(job.id()).isPresent() || !jobStore.insertApiJob(job.id(), definitionJson, Instant.now())) {
            throw new JobExistsException(job.id());
        }
        jobs.add(job);
        try {
            prepare(job, Instant.now());
        } catch (Exception e) {
            // nothing half-created: the job goes again, as if the call had not happened
            jobStore.deleteApiJob(job.id());
            jobs.remove(job.id());
            jobStore.deleteState(job.id());
            try {
                ticker.unschedule(job.id());
            } catch (Exception unscheduleFailed) {
                e.addSuppressed(unscheduleFailed);
            }
            throw e;
        }
        if (job.enabled() && job.mode() == Mode.CONTINUOUS) {
            try {
                enqueue(job, Run.STARTUP, Map.of(), 1, null, null);
            } catch (RunStore.ActiveRunExists ignored) {
                // already running
            }
        }
    }

    public void delete(String jobId) throws Exception {
        JobDefinition job = jobs.find(jobId).orElseThrow(() -> new JobNotFoundException(jobId));
        if (job.source() == JobDefinition.Source.PROPERTIES) {
            throw new IllegalStateException("job '" + jobId + "' is defined in application.properties: remove it "
                    + "there");
        }
        ticker.unschedule(jobId);
        // the table first: other instances (and this one's sync) drop what the table no longer has
        jobStore.deleteApiJob(jobId);
        jobs.remove(jobId);
        jobStore.deleteState(jobId);
        metrics.forget(jobId);
    }

    // ---- what keeps runs honest (see Upkeep) ----------------------------------------------------------------------

    /** Restarts a continuous job whose run ended without asking to stop (abandoned, or its instance shut down). */
    void restartIfContinuous(Run abandoned) throws SQLException {
        Optional<JobDefinition> job = jobs.find(abandoned.jobId());
        if (job.isPresent() && job.get().mode() == Mode.CONTINUOUS && job.get().enabled()
                && !jobStore.paused(abandoned.jobId())) {
            try {
                enqueue(job.get(), Run.RESTART, Dispatcher.parse(abandoned.input()), 1, null, null);
            } catch (RunStore.ActiveRunExists alreadyRestarted) {
                // another instance restarted it first
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    public boolean isRunningHere(long runId) {
        return executor.isActive(runId);
    }

    static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public static final class JobNotFoundException extends Exception {
        public JobNotFoundException(String id) {
            super("no job '" + id + "'");
        }
    }

    public static final class JobExistsException extends Exception {
        public JobExistsException(String id) {
            super("job '" + id + "' already exists");
        }
    }

    public static final class JobDisabledException extends Exception {
        public JobDisabledException(String id) {
            super("job '" + id + "' is disabled");
        }
    }
}
