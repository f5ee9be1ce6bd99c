package io.nomadcamel.jobs.trivy;

import java.time.Duration;

import io.nomadcamel.jobs.Settings;

/**
 * The trivy-scan job's settings, read when a run starts so that a missing one fails that run (naming the variable)
 * and nothing else. The CLI's path ({@code TRIVY_BIN}) and the server's token ({@code TRIVY_TOKEN}, for the child's
 * environment only) are read by the {@code trivy} exec profile (io.nomadcamel.jobs.process.ExecProfiles). The
 * {@code scans.*} names are deliberately not {@code trivy.*}: Trivy reads every {@code TRIVY_<FLAG>} variable of its
 * environment as a flag, and the child inherits ours.
 *
 * @param serverAddr   the Trivy server for client mode ({@code TRIVY_SERVER_ADDR}, required)
 * @param timeout      Trivy's own {@code --timeout} per scan ({@code SCANS_TIMEOUT}, 10m)
 * @param retries      retries of a transient failure ({@code SCANS_RETRIES}, 3: four attempts at most)
 * @param retryBackoff the first retry's wait, doubling up to a minute ({@code SCANS_RETRY_BACKOFF}, 1s)
 * @param keepDays     scans older than this are deleted, except each image's newest and two newest successful
 *                     ({@code SCANS_KEEP_DAYS}, 90)
 */
public record TrivySettings(String serverAddr, Duration timeout, int retries, Duration retryBackoff, int keepDays) {

    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    public static TrivySettings from(Settings settings) {
        String server = settings.required("trivy.server-addr");
        int retries = settings.integer("scans.retries", 3);
        if (retries < 0 || retries > 10) {
            throw new Settings.InvalidSettingException("Setting scans.retries (environment variable SCANS_RETRIES) "
                    + "must be from 0 to 10, got " + retries);
        }
        Duration timeout = settings.duration("scans.timeout", Duration.ofMinutes(10));
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new Settings.InvalidSettingException("Setting scans.timeout (environment variable SCANS_TIMEOUT) "
                    + "must be at least 1s");
        }
        Duration backoff = settings.duration("scans.retry-backoff", Duration.ofSeconds(1));
        return new TrivySettings(server, timeout, retries, backoff, settings.integer("scans.keep-days", 90));
    }

    /** The wait before retry {@code n} (1-based): backoff × 2^(n-1), at most a minute. */
    public Duration backoffBefore(int retry) {
        Duration d = retryBackoff.multipliedBy(1L << Math.min(retry - 1, 20));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    /** Trivy's {@code --timeout} in Go's duration syntax: {@code 10m}, {@code 90s}. */
    public String trivyTimeout() {
        long s = timeout.toSeconds();
        return s % 60 == 0 ? (s / 60) + "m" : s + "s";
    }
}
