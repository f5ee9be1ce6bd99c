package io.nomadcamel.jobs.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.nomadcamel.jobs.s3.S3Settings;
import io.nomadcamel.jobs.testsupport.S3FaultProxy;
import io.nomadcamel.jobs.testsupport.S3ProxyServer;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Uploads through camel-aws2-s3 to a real S3 API, and what happens when the store says it is full. */
class S3StorageTest {

    @RegisterExtension
    static final S3ProxyServer S3 = new S3ProxyServer();
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static DefaultCamelContext camel;
    private S3FaultProxy proxy;
    private S3Storage storage;
    private String bucket;
    private final Path dir = TempDirs.create("uploads");

    @BeforeAll
    static void startCamel() {
        camel = new DefaultCamelContext();
        camel.start();
    }

    @AfterAll
    static void stopCamel() {
        camel.stop();
    }

    @BeforeEach
    void setUp() {
        bucket = "uploads-" + BUCKETS.incrementAndGet();
        S3.createBucket(bucket);
        proxy = S3FaultProxy.start(S3.endpoint());
        storage = new S3Storage(camel, new S3Settings(proxy.endpoint(), bucket, S3.region(), S3.accessKey(),
                S3.secretKey(), 3, Duration.ofMillis(20)), 5L * 1024 * 1024, new BackupMetrics(camel));
    }

    @AfterEach
    void tearDown() {
        storage.close();
        proxy.close();
        TempDirs.delete(dir);
    }

    @Test
    void aMultipartUploadInterruptedByAStopIsAbortedLeavingNoParts() throws Exception {
        Path file = dir.resolve("big.dump");
        byte[] data = new byte[40 * 1024 * 1024];
        new Random(7).nextBytes(data);
        Files.write(file, data);
        String key = "backups/postgres/app/postgres-app-20250101000000.dump";
        proxy.hold("partNumber=3"); // the stop comes while the third part is on its way
        java.util.concurrent.CompletableFuture<S3Storage.Upload> upload =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> storage.upload(file, key));
        long deadline = System.currentTimeMillis() + 30_000;
        while (proxy.requests().stream().noneMatch(r -> r.contains("partNumber=3"))) {
            assertTrue(System.currentTimeMillis() < deadline, "the third part never started: " + proxy.requests());
            Thread.sleep(5);
        }

        storage.close(); // what stopping the run does (the run tracks its storage)

        assertFalse(upload.get(30, java.util.concurrent.TimeUnit.SECONDS).done());
        assertTrue(proxy.requests().stream().anyMatch(r -> r.startsWith("DELETE") && r.contains("uploadId=")),
                "AbortMultipartUpload sent: " + proxy.requests());
        // S3Proxy keeps an open upload's parts as ".mpus-<id>-…" files in the bucket's folder (it cannot list uploads;
        // and it cannot abort an upload whose part it received cut off, hence the part held above)
        try (Stream<Path> stored = Files.walk(S3.dataDir().resolve(bucket))) {
            assertEquals(List.of(), stored.filter(Files::isRegularFile).map(p -> S3.dataDir().relativize(p).toString())
                    .toList(), "no part left in the bucket; requests " + proxy.requests());
        }
    }

    @Test
    void aFileOverThePartSizeIsUploadedInPartsStreamedFromTheFile() throws Exception {
        Path file = dir.resolve("big.dump");
        byte[] data = new byte[12 * 1024 * 1024 + 123];
        new Random(7).nextBytes(data);
        Files.write(file, data);

        S3Storage.Upload upload = storage.upload(file, "backups/postgres/app/postgres-app-20250101000000.dump");

        assertTrue(upload.done(), upload.failure());
        List<String> requests = proxy.requests();
        assertEquals(1, requests.stream().filter(r -> r.startsWith("POST ") && r.endsWith("?uploads")).count(),
                requests.toString());
        assertEquals(3, requests.stream().filter(r -> r.startsWith("PUT ") && r.contains("partNumber=")).count(),
                requests.toString());
        try (S3Client s3 = S3.client()) {
            byte[] stored = s3.getObjectAsBytes(g -> g.bucket(bucket)
                    .key("backups/postgres/app/postgres-app-20250101000000.dump")).asByteArray();
            assertEquals(Checksums.sha256(file), java.util.HexFormat.of().formatHex(
                    Checksums.sha256().digest(stored)));
        }
    }

    static Stream<Arguments> quotaFaults() {
        return Stream.of(
                Arguments.of(S3FaultProxy.Fault.insufficientStorage()),
                Arguments.of(S3FaultProxy.Fault.minioBucketQuotaExceeded()),
                Arguments.of(S3FaultProxy.Fault.cephQuotaExceeded()),
                Arguments.of(S3FaultProxy.Fault.minioStorageFull()));
    }

    @ParameterizedTest
    @MethodSource("quotaFaults")
    void aQuotaErrorEvictsTheOldestBackupOfTheFolderAndTheUploadGoesThrough(S3FaultProxy.Fault fault)
            throws Exception {
        seed("backups/nomad/nomad-20250101000000.snap", "backups/nomad/nomad-20250102000000.snap",
                "backups/nomad/nomad-20250103000000.snap");
        proxy.failNextPuts(1, fault);

        S3Storage.Upload upload = storage.upload(file("new.snap"), "backups/nomad/nomad-20250104000000.snap");

        assertTrue(upload.done(), upload.failure());
        assertEquals(List.of("backups/nomad/nomad-20250101000000.snap"), upload.evicted());
        assertEquals(List.of("backups/nomad/nomad-20250102000000.snap", "backups/nomad/nomad-20250103000000.snap",
                "backups/nomad/nomad-20250104000000.snap"), keys("backups/nomad/"));
    }

    @Test
    void atMostThreeEvictionsPerUploadAndTheNewestOfTheSeriesSurvives() throws Exception {
        seed("backups/consul/consul-20250101000000.snap", "backups/consul/consul-20250102000000.snap",
                "backups/consul/consul-20250103000000.snap", "backups/consul/consul-20250104000000.snap",
                "backups/consul/consul-20250105000000.snap");
        proxy.failNextPuts(10, S3FaultProxy.Fault.insufficientStorage());

        S3Storage.Upload upload = storage.upload(file("new.snap"), "backups/consul/consul-20250106000000.snap");

        assertFalse(upload.done());
        assertEquals(3, upload.evicted().size());
        assertTrue(upload.failure().startsWith("the store is still full after evicting 3 old backups: "
                + "InsufficientStorage (HTTP 507)"), upload.failure());
        assertEquals(List.of("backups/consul/consul-20250104000000.snap",
                "backups/consul/consul-20250105000000.snap"), keys("backups/consul/"));
        assertEquals(4, proxy.faultsServed(), "the first try and three retries, each after an eviction");
    }

    @Test
    void onlyBackupsOfTheSameFolderAreEvictedNeverTheNewestOfASeriesNorOtherFiles() throws Exception {
        // globals share backups/postgres/ with one sub-folder per database; notes.txt is no backup
        seed("backups/postgres/notes.txt", "backups/postgres/app/postgres-app-20240101000000.dump",
                "backups/postgres/app/postgres-app-20240102000000.dump",
                "backups/postgres/postgres-globals-20250101000000.sql.gz",
                "backups/postgres/postgres-globals-20250102000000.sql.gz");
        proxy.failNextPuts(3, S3FaultProxy.Fault.cephQuotaExceeded());

        S3Storage.Upload upload = storage.upload(file("g.sql.gz"), "backups/postgres/postgres-globals-"
                + "20250103000000.sql.gz");

        assertFalse(upload.done());
        assertEquals(List.of("backups/postgres/postgres-globals-20250101000000.sql.gz"), upload.evicted());
        assertTrue(upload.failure().contains("no old backup of backups/postgres/ may be evicted"), upload.failure());
        assertEquals(List.of("backups/postgres/app/postgres-app-20240101000000.dump",
                "backups/postgres/app/postgres-app-20240102000000.dump", "backups/postgres/notes.txt",
                "backups/postgres/postgres-globals-20250102000000.sql.gz"), keys("backups/postgres/"));
    }

    @Test
    void anotherErrorMerelyMentioning507OrQuotaEvictsNothing() throws Exception {
        seed("backups/nomad/nomad-20250101000000.snap", "backups/nomad/nomad-20250102000000.snap");
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
                + "<Message>Access Denied (not a QuotaExceeded, not InsufficientStorage, not 507)</Message>"
                + "<RequestId>507507507507</RequestId><HostId>507-QuotaExceeded-507</HostId></Error>";
        proxy.failNextPuts(1, new S3FaultProxy.Fault(403, "Forbidden", body));

        S3Storage.Upload upload = storage.upload(file("n.snap"), "backups/nomad/nomad-20250103000000.snap");

        assertFalse(upload.done());
        assertEquals(List.of(), upload.evicted());
        assertTrue(upload.failure().startsWith("AccessDenied (HTTP 403)"), upload.failure());
        assertEquals(List.of("backups/nomad/nomad-20250101000000.snap", "backups/nomad/nomad-20250102000000.snap"),
                keys("backups/nomad/"));
    }

    @Test
    void anUnreachableStoreIsAnUploadFailureNotAnException() throws Exception {
        proxy.close();

        S3Storage.Upload upload = storage.upload(file("n.snap"), "backups/nomad/nomad-20250103000000.snap");

        assertFalse(upload.done());
        assertTrue(upload.failure().contains("Connection refused"), upload.failure());
    }

    private Path file(String name) throws Exception {
        return Files.writeString(dir.resolve(name), "backup " + name);
    }

    /** Uploads objects, the first the oldest, a day apart (S3Proxy's LastModified is its file's mtime). */
    private void seed(String... keys) throws Exception {
        try (S3Client s3 = S3.client()) {
            for (String key : keys) {
                s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromString("old " + key));
            }
        }
        long now = System.currentTimeMillis();
        for (int i = 0; i < keys.length; i++) {
            Path object = S3.dataDir().resolve(bucket).resolve(keys[i]);
            Files.setLastModifiedTime(object, java.nio.file.attribute.FileTime.fromMillis(
                    now - (keys.length - i) * 86_400_000L));
        }
    }

    private List<String> keys(String prefix) {
        try (S3Client s3 = S3.client()) {
            return s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(prefix)).contents().stream()
                    .map(S3Object::key).sorted().toList();
        }
    }
}
