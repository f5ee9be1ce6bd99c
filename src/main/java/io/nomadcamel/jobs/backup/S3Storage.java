package io.nomadcamel.jobs.backup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.nomadcamel.jobs.s3.QuotaErrors;
import io.nomadcamel.jobs.s3.S3Clients;
import io.nomadcamel.jobs.s3.S3Settings;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.apache.camel.component.aws2.s3.AWS2S3Component;
import org.apache.camel.component.aws2.s3.AWS2S3Configuration;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.apache.camel.component.aws2.s3.AWS2S3Endpoint;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;

/**
 * A run's way to S3: uploads through camel-aws2-s3 from the file (one PUT below the part size, multipart above it;
 * the file is streamed, never held in memory), with the run's S3 client. When the store answers that it is full,
 * the oldest backup of the key's folder is evicted and the upload tried again, at most {@value #MAX_EVICTIONS}
 * times. Upload failures are returned, not thrown: the caller turns them into warnings.
 */
final class S3Storage implements AutoCloseable {

    static final int MAX_EVICTIONS = 3;
    private static final Logger LOG = LoggerFactory.getLogger(S3Storage.class);

    /** How an upload ended: done, or the reason it did not reach S3; and what was evicted on the way. */
    record Upload(boolean done, List<String> evicted, String failure) {
    }

    private final CamelContext camel;
    private final S3Settings settings;
    private final long partSize;
    private final BackupMetrics metrics;
    private final List<AWS2S3Endpoint> endpoints = new ArrayList<>();
    private volatile S3Client client;
    private Producer single;
    private Producer multipart;
    private volatile boolean closed;
    /** upload id → key of the multipart uploads opened and not yet completed or aborted. */
    private final Map<String, String> openUploads = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    S3Storage(CamelContext camel, S3Settings settings, long partSize, BackupMetrics metrics) {
        this.camel = camel;
        this.settings = settings;
        this.partSize = partSize;
        this.metrics = metrics;
    }

    String bucket() {
        return settings.bucket();
    }

    synchronized S3Client client() {
        if (closed) {
            throw new IllegalStateException("the run's S3 connection is closed (the run was stopped)");
        }
        if (client == null) {
            client = recordingMultipartUploads(S3Clients.create(settings));
        }
        return client;
    }

    /**
     * The client, noting the multipart uploads it opens until they are completed or aborted: camel-aws2-s3 keeps the
     * upload id to itself, and an upload a stopped run leaves open holds its parts (and quota) in the bucket for
     * ever, unseen by listings, retention and eviction. {@link #close()} aborts what is still open.
     */
    private S3Client recordingMultipartUploads(S3Client real) {
        return (S3Client) java.lang.reflect.Proxy.newProxyInstance(S3Client.class.getClassLoader(),
                new Class<?>[] {S3Client.class}, (proxy, method, args) -> {
                    Object result;
                    inFlight.incrementAndGet();
                    try {
                        result = method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        inFlight.decrementAndGet();
                    }
                    if (result instanceof CreateMultipartUploadResponse created) {
                        openUploads.put(created.uploadId(), created.key());
                    } else if (args != null && args.length == 1
                            && args[0] instanceof CompleteMultipartUploadRequest done) {
                        openUploads.remove(done.uploadId());
                    } else if (args != null && args.length == 1
                            && args[0] instanceof AbortMultipartUploadRequest aborted) {
                        openUploads.remove(aborted.uploadId());
                    }
                    return result;
                });
    }

    Upload upload(Path file, String key) {
        List<String> evicted = new ArrayList<>();
        while (true) {
            try {
                put(file, key);
                return new Upload(true, evicted, null);
            } catch (Exception e) {
                if (!QuotaErrors.isQuotaExceeded(e)) {
                    return new Upload(false, evicted, QuotaErrors.describe(e));
                }
                if (evicted.size() >= MAX_EVICTIONS) {
                    return new Upload(false, evicted, "the store is still full after evicting " + MAX_EVICTIONS
                            + " old backups: " + QuotaErrors.describe(e));
                }
                Optional<String> victim;
                try {
                    victim = QuotaEviction.evictOldest(client(), settings.bucket(), key);
                } catch (Exception evictionFailed) {
                    return new Upload(false, evicted, QuotaErrors.describe(e) + "; evicting an old backup failed: "
                            + QuotaErrors.describe(evictionFailed));
                }
                if (victim.isEmpty()) {
                    return new Upload(false, evicted, QuotaErrors.describe(e) + "; no old backup of "
                            + key.substring(0, key.lastIndexOf('/') + 1) + " may be evicted");
                }
                LOG.warn("S3 store full while uploading {}: evicted {}", key, victim.get());
                metrics.evicted();
                evicted.add(victim.get());
            }
        }
    }

    /** One PUT (or multipart upload) inside a CLIENT span for the trace of the run. */
    private void put(Path file, String key) throws Exception {
        try {
            io.nomadcamel.jobs.trace.Tracing.client("s3", "s3 PutObject",
                    java.util.Map.of("aws.s3.bucket", settings.bucket(), "aws.s3.key", key), () -> {
                        try {
                            putUntraced(file, key);
                            return null;
                        } catch (Exception e) {
                            throw new CheckedFailure(e);
                        }
                    });
        } catch (CheckedFailure failure) {
            throw failure.cause;
        }
    }

    /** Carries a checked exception through the span's Supplier. */
    private static final class CheckedFailure extends RuntimeException {
        private final Exception cause;

        CheckedFailure(Exception cause) {
            super(cause.getMessage(), cause);
            this.cause = cause;
        }
    }

    private void putUntraced(Path file, String key) throws Exception {
        long size = Files.size(file);
        Producer producer = producer(size >= partSize);
        Exchange exchange = new DefaultExchange(camel);
        exchange.getIn().setBody(file.toFile());
        exchange.getIn().setHeader(AWS2S3Constants.KEY, key);
        exchange.getIn().setHeader(AWS2S3Constants.CONTENT_LENGTH, size);
        producer.process(exchange);
        if (exchange.getException() != null) {
            throw exchange.getException();
        }
    }

    /**
     * The producer for small or large files, made on first use. Its endpoint checks the bucket when it starts;
     * if S3 is unreachable it fails here and the next upload tries again.
     */
    private synchronized Producer producer(boolean multipartUpload) throws Exception {
        Producer existing = multipartUpload ? multipart : single;
        if (existing != null) {
            return existing;
        }
        AWS2S3Component component = camel.getComponent("aws2-s3", AWS2S3Component.class);
        AWS2S3Configuration configuration = component.getConfiguration().copy();
        configuration.setBucketName(settings.bucket());
        configuration.setAmazonS3Client(client());
        configuration.setAutoCreateBucket(false);
        configuration.setMultiPartUpload(multipartUpload);
        configuration.setPartSize(partSize);
        AWS2S3Endpoint endpoint = new AWS2S3Endpoint("aws2-s3://" + settings.bucket() + "?multiPartUpload="
                + multipartUpload, component, configuration);
        try {
            endpoint.start();
        } catch (RuntimeException e) {
            ServiceHelper.stopService(endpoint);
            throw e;
        }
        endpoints.add(endpoint);
        Producer producer = endpoint.createProducer();
        producer.start();
        if (multipartUpload) {
            multipart = producer;
        } else {
            single = producer;
        }
        return producer;
    }

    /**
     * Ends the run's S3 work; closing the client first makes an upload in flight fail at once (a stopped run). A
     * multipart upload it interrupts is then aborted with a client of its own (the run's is closed, so camel's own
     * abort cannot get through): no parts are left behind in the bucket.
     */
    @Override
    public void close() {
        closed = true;
        S3Client c = client;
        Map<String, String> interrupted = Map.copyOf(openUploads);
        if (c != null) {
            c.close();
        }
        synchronized (this) {
            ServiceHelper.stopService(single, multipart);
            endpoints.forEach(ServiceHelper::stopService);
        }
        if (!interrupted.isEmpty()) {
            awaitCallsEnded();
            abort(interrupted);
        }
    }

    /** A part upload cut off by the close must be over before the abort, or the store may keep that part. */
    private void awaitCallsEnded() {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void abort(Map<String, String> uploads) {
        try (S3Client s3 = S3Clients.create(settings)) {
            uploads.forEach((uploadId, key) -> {
                openUploads.remove(uploadId);
                try {
                    s3.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId));
                    LOG.info("Aborted the interrupted multipart upload of {} (its parts are gone)", key);
                } catch (RuntimeException e) {
                    LOG.warn("Could not abort the interrupted multipart upload {} of {}: {}; its parts stay in "
                            + "bucket {} until aborted (a lifecycle rule AbortIncompleteMultipartUpload does it)",
                            uploadId, key, QuotaErrors.describe(e), settings.bucket());
                }
            });
        }
    }
}
