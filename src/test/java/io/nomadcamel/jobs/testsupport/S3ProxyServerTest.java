package io.nomadcamel.jobs.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

class S3ProxyServerTest {

    @RegisterExtension
    static final S3ProxyServer S3 = new S3ProxyServer();

    @Test
    void putGetListAndDeleteRoundTripThroughTheProductionClient() throws Exception {
        S3.createBucket("roundtrip");
        byte[] snapshot = "nomad snapshot bytes".getBytes(StandardCharsets.UTF_8);
        Path file = Files.createTempFile("ncj-upload", ".snap");
        Files.writeString(file, "consul snapshot bytes");
        try (S3Client s3 = S3.client()) {
            s3.putObject(p -> p.bucket("roundtrip").key("backups/nomad/nomad-20260101000000.snap"),
                    RequestBody.fromBytes(snapshot));
            // the backup job uploads files: exercise the streaming upload path too
            s3.putObject(p -> p.bucket("roundtrip").key("backups/consul/consul-20260101000000.snap"),
                    RequestBody.fromFile(file));

            assertArrayEquals(snapshot, s3.getObjectAsBytes(
                    g -> g.bucket("roundtrip").key("backups/nomad/nomad-20260101000000.snap")).asByteArray());
            List<String> keys = s3.listObjectsV2Paginator(l -> l.bucket("roundtrip").prefix("backups/").maxKeys(1))
                    .contents().stream().map(S3Object::key).toList();
            assertEquals(List.of("backups/consul/consul-20260101000000.snap",
                    "backups/nomad/nomad-20260101000000.snap"), keys);

            // multi-object delete is one of the calls that require a checksum even with WHEN_REQUIRED
            s3.deleteObjects(d -> d.bucket("roundtrip").delete(Delete.builder().objects(
                    ObjectIdentifier.builder().key("backups/consul/consul-20260101000000.snap").build()).build()));
            assertEquals(List.of("backups/nomad/nomad-20260101000000.snap"),
                    s3.listObjectsV2(l -> l.bucket("roundtrip")).contents().stream().map(S3Object::key).toList());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aWrongSecretKeyIsRejectedAsOnRealS3() {
        S3.createBucket("auth");
        try (S3Client s3 = S3.clientBuilder(S3.endpoint()).credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(S3.accessKey(), "not-the-secret"))).build()) {
            S3Exception e = assertThrows(S3Exception.class, () -> s3.listObjectsV2(l -> l.bucket("auth")));
            assertEquals(403, e.statusCode());
            assertEquals("SignatureDoesNotMatch", e.awsErrorDetails().errorCode());
        }
    }

    @Test
    void objectsAreFilesWhoseMtimeIsTheirLastModified() throws Exception {
        S3.createBucket("aging");
        try (S3Client s3 = S3.client()) {
            s3.putObject(p -> p.bucket("aging").key("backups/nomad/old.snap"), RequestBody.fromString("old"));
            Path stored = S3.dataDir().resolve("aging/backups/nomad/old.snap");
            assertEquals("old", Files.readString(stored));

            // retention tests age objects this way instead of waiting 30 days
            Instant fortyDaysAgo = Instant.now().minus(Duration.ofDays(40)).truncatedTo(ChronoUnit.SECONDS);
            Files.setLastModifiedTime(stored, FileTime.from(fortyDaysAgo));

            S3Object listed = s3.listObjectsV2(l -> l.bucket("aging")).contents().get(0);
            assertEquals(fortyDaysAgo, listed.lastModified());
        }
    }

    @Test
    void s3GoesDownAndComesBackOnTheSamePortWithTheSameObjects() {
        S3.createBucket("outage");
        try (S3Client s3 = S3.clientBuilder(S3.endpoint())
                .overrideConfiguration(c -> c.retryStrategy(r -> r.maxAttempts(1))).build()) {
            s3.putObject(p -> p.bucket("outage").key("kept"), RequestBody.fromString("still here"));
            long firstPid = S3.pid();

            S3.stopProcess();
            assertFalse(S3.running());
            assertFalse(Ports.listening(S3.port()), "S3 port still accepts connections while S3 is down");
            assertThrows(SdkClientException.class, () -> s3.getObjectAsBytes(g -> g.bucket("outage").key("kept")));

            S3.startProcess();
            assertTrue(S3.running());
            assertNotEquals(firstPid, S3.pid(), "a new S3Proxy process serves after the restart");
            assertEquals("still here", s3.getObjectAsBytes(g -> g.bucket("outage").key("kept")).asUtf8String());
        }
    }

    @Test
    void aMissingS3ProxyJarFailsSayingHowToGetIt() {
        Path emptyToolsDir = TempDirs.create("no-tools");
        String toolsDir = System.getProperty("test.tools.dir");
        System.setProperty("test.tools.dir", emptyToolsDir.toString());
        try (S3ProxyServer server = new S3ProxyServer()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, server::start);
            assertTrue(e.getMessage().contains("mvn generate-test-resources"), e.getMessage());
            assertFalse(server.running());
        } finally {
            if (toolsDir == null) {
                System.clearProperty("test.tools.dir");
            } else {
                System.setProperty("test.tools.dir", toolsDir);
            }
            TempDirs.delete(emptyToolsDir);
        }
    }

    @Test
    void stopLeavesNoProcessNoListenerAndNoFiles() {
        S3ProxyServer server = new S3ProxyServer();
        server.start();
        long pid = server.pid();
        int port = server.port();
        Path data = server.dataDir();
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "S3Proxy runs after start");

        server.stop();

        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "S3Proxy still runs after stop");
        assertFalse(Ports.listening(port), "something still listens on the S3 port after stop");
        assertFalse(Files.exists(data), "S3 data dir left behind");
    }
}
