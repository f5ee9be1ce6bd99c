package io.nomadcamel.jobs.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The scheduler's figures for Prometheus: runs by final state, run duration, the last success per job (to alert on
 * "backup has not succeeded in 26 h"), and skipped slots by reason.
 */
final class SchedulerMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();
    private final Map<String, Gauge> ready = new ConcurrentHashMap<>();

    SchedulerMetrics(MeterRegistry registry, Supplier<Integer> activeRuns) {
        this.registry = registry;
        Gauge.builder("ncj_runs_active", () -> activeRuns.get())
                .description("runs executing on this instance").register(registry);
    }

    /** Starts the job's last-success gauge at what the database remembers, so a restart does not reset it. */
    void registerJob(JobDefinition job, Instant lastSucceeded) {
        AtomicLong value = lastSuccess.computeIfAbsent(job.id(), id -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("ncj_job_last_success_timestamp_seconds", v, AtomicLong::get)
                    .description("when the job last succeeded (0: never)")
                    .tag("job", id).tag("type", job.type()).register(registry);
            return v;
        });
        if (lastSucceeded != null) {
            value.accumulateAndGet(lastSucceeded.getEpochSecond(), Math::max);
        }
    }

    /** {@code ncj_job_ready{job,type}}: 1 when the job can work on this instance, 0 when not (to alert on). */
    void registerReady(JobDefinition job, Supplier<Double> value) {
        ready.computeIfAbsent(job.id(), id -> Gauge.builder("ncj_job_ready", () -> value.get())
                .description("1 when the job's settings let it work on this instance, 0 when not")
                .tag("job", id).tag("type", job.type()).register(registry));
    }

    /** A deleted job's gauges go with it. */
    void forget(String jobId) {
        Gauge gauge = ready.remove(jobId);
        if (gauge != null) {
            registry.remove(gauge);
        }
    }

    void finished(JobDefinition job, RunState state, Duration took) {
        Counter.builder("ncj_runs_total").description("finished runs by final state")
                .tag("job", job.id()).tag("type", job.type()).tag("state", state.name())
                .register(registry).increment();
        Timer.builder("ncj_run_duration_seconds").description("how long runs took")
                .tag("job", job.id()).tag("type", job.type()).register(registry).record(took);
        if (state == RunState.SUCCEEDED) {
            registerJob(job, Instant.now());
        }
    }

    void skipped(JobDefinition job, String reason) {
        Counter.builder("ncj_slots_skipped_total").description("schedule slots that did not run")
                .tag("job", job.id()).tag("type", job.type()).tag("reason", reason).register(registry).increment();
    }

    void abandoned(String jobId, String type) {
        Counter.builder("ncj_runs_total").description("finished runs by final state")
                .tag("job", jobId).tag("type", type).tag("state", RunState.ABANDONED.name())
                .register(registry).increment();
    }
}
