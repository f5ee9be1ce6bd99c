package io.nomadcamel.jobs.maintenance;

import java.time.Duration;

import io.nomadcamel.jobs.Settings;

/**
 * Settings of offline maintenance ({@code maintenance.*}, and {@code docker.bin}). The per-run timeouts are defaults a
 * route's request may override; the rest bound the compensation and pace recovery.
 *
 * @param drainTimeout      how long the group may take to stop after the scale-down
 * @param startTimeout      how long the group may take to run again after the scale-back
 * @param commandTimeout    how long the command may run on the node
 * @param pollInterval      between two looks at the group's allocations
 * @param scaleBackAttempts scale-back calls before the compensation is declared failed (CRITICAL)
 * @param scaleBackBackoff  wait after the first failed attempt, doubling, at most one minute
 * @param killGrace         between SIGTERM and SIGKILL when a command must be ended on the node
 * @param recoveryInterval  how often open intents of dead runs are looked for
 * @param claim             how long an instance holds an intent it compensates before another may take it
 * @param containerGone     how long a removed container may take to be reported gone ({@code docker inspect})
 * @param dockerBin         the docker CLI on the nodes ({@code docker.bin}, DOCKER_BIN, shared with node-cleanup)
 */
public record MaintenanceSettings(Duration drainTimeout, Duration startTimeout, Duration commandTimeout,
        Duration pollInterval, int scaleBackAttempts, Duration scaleBackBackoff, Duration killGrace,
        Duration recoveryInterval, Duration claim, Duration containerGone, String dockerBin) {

    public static MaintenanceSettings from(Settings s) {
        int attempts = s.integer("maintenance.scale-back-attempts", 5);
        if (attempts < 1) {
            throw new Settings.InvalidSettingException("Setting maintenance.scale-back-attempts (environment variable "
                    + "MAINTENANCE_SCALE_BACK_ATTEMPTS) must be at least 1, got " + attempts);
        }
        return new MaintenanceSettings(
                s.duration("maintenance.drain-timeout", Duration.ofMinutes(5)),
                s.duration("maintenance.start-timeout", Duration.ofMinutes(5)),
                s.duration("maintenance.command-timeout", Duration.ofHours(2)),
                s.duration("maintenance.poll-interval", Duration.ofSeconds(2)),
                attempts,
                s.duration("maintenance.scale-back-backoff", Duration.ofSeconds(5)),
                s.duration("maintenance.kill-grace", Duration.ofSeconds(10)),
                s.duration("maintenance.recovery-interval", Duration.ofSeconds(30)),
                s.duration("maintenance.claim", Duration.ofMinutes(10)),
                s.duration("maintenance.container-gone-timeout", Duration.ofSeconds(60)),
                s.string("docker.bin", "docker"));
    }

    /** The wait after the n-th failed scale-back attempt. */
    Duration backoff(int failedAttempts) {
        Duration d = scaleBackBackoff.multipliedBy(1L << Math.min(Math.max(failedAttempts - 1, 0), 16));
        return d.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : d;
    }
}
