package io.nomadcamel.jobs.maintenance;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code ncj_maintenance_scale_back_failed{job,group}}: 1 while a task group taken offline could not be scaled back
 * (an open intent with a failed attempt), 0 once a scale-back succeeded. The value comes from the database, so every
 * instance shows the same and a restart does not reset it; alert on {@code > 0}.
 */
public final class MaintenanceMetrics {

    public static final String SCALE_BACK_FAILED = "ncj_maintenance_scale_back_failed";

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> failed = new ConcurrentHashMap<>();

    MaintenanceMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Sets the group's gauge from the number of its open intents whose scale-back failed. */
    public void update(String job, String group, int failedOpenIntents) {
        gauge(job, group).set(failedOpenIntents > 0 ? 1 : 0);
    }

    /** The groups that have a gauge, as {@code job\u0000group}: recovery refreshes them all. */
    public Iterable<String> knownGroups() {
        return failed.keySet();
    }

    public int value(String job, String group) {
        AtomicInteger v = failed.get(job + '\u0000' + group);
        return v == null ? 0 : v.get();
    }

    private AtomicInteger gauge(String job, String group) {
        return failed.computeIfAbsent(job + '\u0000' + group, key -> {
            AtomicInteger v = new AtomicInteger();
            Gauge.builder(SCALE_BACK_FAILED, v, AtomicInteger::get)
                    .description("1 while a task group taken offline for maintenance could not be scaled back")
                    .tag("job", job).tag("group", group).register(registry);
            return v;
        });
    }
}
