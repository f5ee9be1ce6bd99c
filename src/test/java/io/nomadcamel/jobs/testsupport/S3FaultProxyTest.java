package io.nomadcamel.jobs.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

class S3FaultProxyTest {

    @RegisterExtension
    static final S3ProxyServer S3 = new S3ProxyServer();

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of(S3FaultProxy.Fault.insufficientStorage(), 507, "InsufficientStorage"),
                Arguments.of(S3FaultProxy.Fault.minioStorageFull(), 507, "XMinioStorageFull"),
                Arguments.of(S3FaultProxy.Fault.minioBucketQuotaExceeded(), 400, "XMinioAdminBucketQuotaExceeded"),
                Arguments.of(S3FaultProxy.Fault.cephQuotaExceeded(), 403, "QuotaExceeded"));
    }

    @ParameterizedTest(name = "{2}, HTTP {1}")
    @MethodSource("faults")
    void theSdkSurfacesTheFaultsCodeAndStatusOnceThenUploadsGoThrough(S3FaultProxy.Fault fault, int status,
            String code) {
        String bucket = "quota-" + status + "-" + code.toLowerCase();
        S3.createBucket(bucket);
        try (S3FaultProxy proxy = S3FaultProxy.start(S3.endpoint());
                S3Client s3 = S3.clientBuilder(proxy.endpoint()).build()) {
            proxy.failNextPuts(1, fault);

            S3Exception e = assertThrows(S3Exception.class,
                    () -> s3.putObject(p -> p.bucket(bucket).key("backups/nomad/a.snap"), RequestBody.fromString("a")));
            assertEquals(status, e.statusCode());
            assertEquals(code, e.awsErrorDetails().errorCode());
            // the SDK's default retries leave these statuses alone, so the job sees the very first refusal
            assertEquals(1, proxy.faultsServed());
            assertEquals(List.of("PUT /" + bucket + "/backups/nomad/a.snap"), proxy.requests());

            s3.putObject(p -> p.bucket(bucket).key("backups/nomad/a.snap"), RequestBody.fromString("a"));
            assertEquals("a", s3.getObjectAsBytes(g -> g.bucket(bucket).key("backups/nomad/a.snap")).asUtf8String());
            assertEquals(1, proxy.faultsServed());
        }
    }

    @Test
    void aFaultOnALargeFileUploadIsAnAnswerNotAConnectionReset() throws Exception {
        S3.createBucket("large");
        Path file = Files.createTempFile("ncj-large", ".sql.gz");
        Files.write(file, new byte[8 * 1024 * 1024]);
        try (S3FaultProxy proxy = S3FaultProxy.start(S3.endpoint());
                S3Client s3 = S3.clientBuilder(proxy.endpoint()).build()) {
            proxy.failNextPuts(1, S3FaultProxy.Fault.minioBucketQuotaExceeded());

            S3Exception e = assertThrows(S3Exception.class,
                    () -> s3.putObject(p -> p.bucket("large").key("dump.sql.gz"), RequestBody.fromFile(file)));
            assertEquals("XMinioAdminBucketQuotaExceeded", e.awsErrorDetails().errorCode());

            s3.putObject(p -> p.bucket("large").key("dump.sql.gz"), RequestBody.fromFile(file));
            try (S3Client direct = S3.client()) {
                assertEquals(Files.size(file), direct.headObject(h -> h.bucket("large").key("dump.sql.gz"))
                        .contentLength());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void onlyObjectUploadsFailAndEverythingElseReachesS3Unchanged() {
        S3.createBucket("passthrough");
        try (S3Client direct = S3.client()) {
            direct.putObject(p -> p.bucket("passthrough").key("backups/consul/old.snap"), RequestBody.fromString("o"));
        }
        try (S3FaultProxy proxy = S3FaultProxy.start(S3.endpoint());
                S3Client s3 = S3.clientBuilder(proxy.endpoint()).build()) {
            proxy.failNextPuts(2, S3FaultProxy.Fault.cephQuotaExceeded());

            // creating a bucket is a PUT without a key: not an upload
            s3.createBucket(b -> b.bucket("passthrough-new"));
            List<String> keys = s3.listObjectsV2(l -> l.bucket("passthrough").prefix("backups/")).contents().stream()
                    .map(S3Object::key).toList();
            assertEquals(List.of("backups/consul/old.snap"), keys);
            s3.deleteObject(d -> d.bucket("passthrough").key("backups/consul/old.snap"));
            assertEquals(0, proxy.faultsServed());

            assertThrows(S3Exception.class,
                    () -> s3.putObject(p -> p.bucket("passthrough").key("k1"), RequestBody.fromString("1")));
            assertThrows(S3Exception.class,
                    () -> s3.putObject(p -> p.bucket("passthrough").key("k2"), RequestBody.fromString("2")));
            s3.putObject(p -> p.bucket("passthrough").key("k3"), RequestBody.fromString("3"));
            assertEquals(2, proxy.faultsServed());
            assertEquals(List.of("k3"), s3.listObjectsV2(l -> l.bucket("passthrough")).contents().stream()
                    .map(S3Object::key).toList());
        }
    }
}
