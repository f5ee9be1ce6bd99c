package io.nomadcamel.jobs.s3;

import java.time.Duration;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;

/** Builds the S3 client every S3 call of the application goes through. */
public final class S3Clients {

    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private S3Clients() {
    }

    public static S3Client create(S3Settings settings) {
        return S3Client.builder()
                .endpointOverride(settings.endpoint())
                // bucket in the path: S3-compatible stores rarely have wildcard DNS for virtual-host buckets
                .forcePathStyle(true)
                .region(Region.of(settings.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())))
                // AWS SDK 2.30+ adds CRC checksums to every request and checks them in responses by default;
                // MinIO, Ceph and S3Proxy reject or lack them, so only where the S3 API requires them
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // design §5: S3 calls retry 3 times, backoff 1 s doubling up to 1 min
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(settings.retries() + 1)
                        .backoffStrategy(BackoffStrategy.exponentialDelayWithoutJitter(settings.retryDelay(),
                                MAX_BACKOFF))
                        .throttlingBackoffStrategy(BackoffStrategy.exponentialDelayWithoutJitter(
                                settings.retryDelay(), MAX_BACKOFF))
                        .build()))
                .build();
    }
}
