package io.nomadcamel.jobs.s3;

import java.net.URI;
import java.time.Duration;

import io.nomadcamel.jobs.Settings;

/**
 * Where backups go in S3-compatible storage. Read when a run starts, so a missing bucket or key fails that run with
 * a message naming the variable, not the application's start-up. The secret never appears in {@link #toString()}.
 */
public record S3Settings(URI endpoint, String bucket, String region, String accessKey, String secretKey, int retries,
        Duration retryDelay) {

    public static final String ENDPOINT = "s3.endpoint";
    public static final String BUCKET = "s3.bucket";
    public static final String REGION = "s3.region";
    public static final String ACCESS_KEY = "s3.access-key";
    public static final String SECRET_KEY = "s3.secret-key";
    public static final String RETRIES = "s3.retries";
    public static final String RETRY_DELAY = "s3.retry-delay";

    public static S3Settings from(Settings settings) {
        String endpoint = settings.required(ENDPOINT);
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new Settings.InvalidSettingException("Setting " + ENDPOINT + " (environment variable "
                    + Settings.envName(ENDPOINT) + ") must be an http:// or https:// URL, got '" + endpoint + "'");
        }
        int retries = settings.integer(RETRIES, 3);
        if (retries < 0 || retries > 10) {
            throw new Settings.InvalidSettingException("Setting " + RETRIES + " (environment variable "
                    + Settings.envName(RETRIES) + ") must be from 0 to 10, got " + retries);
        }
        return new S3Settings(uri, settings.required(BUCKET), settings.string(REGION, "us-east-1"),
                settings.required(ACCESS_KEY), settings.required(SECRET_KEY), retries,
                settings.duration(RETRY_DELAY, Duration.ofSeconds(1)));
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", bucket=" + bucket + ", region=" + region + "]";
    }
}
