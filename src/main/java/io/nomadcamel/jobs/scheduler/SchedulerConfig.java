package io.nomadcamel.jobs.scheduler;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.nomadcamel.jobs.Settings;

/** The scheduler's settings ({@code scheduler.*}, {@code worker.job-types}, {@code runs.keep-days}). */
public record SchedulerConfig(
        String instanceId,
        Set<String> hostedTypes,
        Duration lease,
        Duration pollInterval,
        int maxConcurrentRuns,
        Duration shutdownTimeout,
        int keepDays,
        Duration retryBackoff,
        Duration retryBackoffMax,
        Duration continuousBackoff,
        Duration continuousBackoffMax,
        Duration continuousHealthy,
        Duration clusterCheckin) {

    public static SchedulerConfig from(Settings s) {
        String types = s.string("worker.job-types", "");
        Set<String> hosted = Arrays.stream(types.split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        return new SchedulerConfig(
                s.string("scheduler.instance-id", defaultInstanceId()),
                hosted,
                s.duration("scheduler.lease", Duration.ofSeconds(30)),
                s.duration("scheduler.poll-interval", Duration.ofSeconds(1)),
                s.integer("scheduler.max-concurrent-runs", 16),
                s.duration("scheduler.shutdown-timeout", Duration.ofSeconds(30)),
                s.integer("runs.keep-days", 90),
                s.duration("scheduler.retry-backoff", Duration.ofSeconds(1)),
                s.duration("scheduler.retry-backoff-max", Duration.ofMinutes(1)),
                s.duration("scheduler.continuous-backoff", Duration.ofSeconds(10)),
                s.duration("scheduler.continuous-backoff-max", Duration.ofMinutes(5)),
                s.duration("scheduler.continuous-healthy", Duration.ofMinutes(10)),
                s.duration("scheduler.cluster-checkin", Duration.ofSeconds(5)));
    }

    /** Whether this instance runs jobs of the type; an empty {@code worker.job-types} hosts them all. */
    public boolean hosts(String type) {
        return hostedTypes.isEmpty() || hostedTypes.contains(type);
    }

    /** Doubling delay from {@code base}, capped: the n-th consecutive failure waits base × 2^(n-1). */
    static Duration backoff(Duration base, Duration max, int failures) {
        long factor = 1L << Math.min(Math.max(failures - 1, 0), 20);
        Duration d = base.multipliedBy(factor);
        return d.compareTo(max) > 0 ? max : d;
    }

    private static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "instance";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
