package io.nomadcamel.jobs.testsupport;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * A real S3 API for tests: S3Proxy with its filesystem backend, run as a child process because its dependencies
 * (Jetty, AWS SDK, Jackson, sshd) clash with Camel's on one classpath. Objects are plain files under
 * {@link #dataDir()}{@code /<bucket>/<key>}, so a test can age one by setting its mtime (S3Proxy reports the file's
 * mtime as LastModified). {@link #stopProcess()} and {@link #startProcess()} take S3 down and bring it back on the same
 * port with the same objects.
 */
public final class S3ProxyServer extends RestartableServer {

    public static final String REGION = "us-east-1";

    /**
     * S3Proxy's own NIO.2 filesystem store. S3Proxy 2.6.0 also accepts jclouds' {@code filesystem} and the in-memory
     * {@code transient} / {@code transient-nio2}; an in-memory store would lose the objects on a restart.
     */
    private static final String BACKEND = "filesystem-nio2";

    private final String accessKey = "test-access-" + UUID.randomUUID().toString().substring(0, 8);
    private final String secretKey = "test-secret-" + UUID.randomUUID();
    private Path dataDir;

    @Override
    protected void doStart() throws IOException {
        Path jar = Programs.testToolsDir().resolve("s3proxy.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy is missing at " + jar.toAbsolutePath() + ": run `mvn "
                    + "generate-test-resources` (or the README's test command), which copies org.gaul:s3proxy there");
        }
        home = TempDirs.create("s3proxy");
        dataDir = Files.createDirectory(home.resolve("data"));
        port = Ports.free();
        Path properties = home.resolve("s3proxy.properties");
        Files.writeString(properties, properties());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new RestartableProcess("s3proxy",
                List.of(java, "-Xmx256m", "-jar", jar.toString(), "--properties", properties.toString()),
                home, port, Duration.ofSeconds(60));
        process.start();
    }

    private String properties() {
        return String.join("\n",
                "s3proxy.endpoint=" + endpoint(),
                // v2 or v4 signatures, checked against the throwaway keys: a wrong key must fail as on real S3
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + accessKey,
                "s3proxy.credential=" + secretKey,
                // S3Proxy 2.6.0 answers 501 NotImplemented to headers it does not know, among them the
                // x-amz-checksum-crc32 that AWS SDK 2.41 sends on DeleteObjects even with WHEN_REQUIRED; MinIO and Ceph
                // accept it, so the stand-in must too
                "s3proxy.ignore-unknown-headers=true",
                "jclouds.provider=" + BACKEND,
                // S3Proxy refuses to start without backend credentials, even for a local filesystem
                "jclouds.identity=" + accessKey,
                "jclouds.credential=" + secretKey,
                "jclouds.filesystem.basedir=" + dataDir,
                "");
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public String region() {
        return REGION;
    }

    /** Where the objects live: {@code <dataDir>/<bucket>/<key>}. */
    public Path dataDir() {
        return dataDir;
    }

    public void createBucket(String bucket) {
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    /** A client for this server, configured as production configures its own. Close it after use. */
    public S3Client client() {
        return clientBuilder(endpoint()).build();
    }

    /**
     * A client builder configured as production, for another endpoint in front of this server (such as an
     * {@link S3FaultProxy}) or to change e.g. the retry policy before building.
     */
    public S3ClientBuilder clientBuilder(URI endpoint) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                // bucket in the path: S3-compatible stores rarely have wildcard DNS for virtual hosts
                .forcePathStyle(true)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                // AWS SDK 2.30+ adds CRC checksums to every request and checks them in responses by default; stores
                // other than AWS reject or lack them, so only send and check them where the S3 API requires it
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
}
