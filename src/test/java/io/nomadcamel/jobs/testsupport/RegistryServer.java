package io.nomadcamel.jobs.testsupport;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real Docker registry (Debian's docker-registry, distribution 2.8) with filesystem storage in a temp dir and
 * deletes enabled. The registry-gc job stops it, garbage-collects its data dir and starts it again, so
 * {@link #stopProcess()} and {@link #startProcess()} stop and start only the process, keeping port and data: a fake
 * Nomad calls them when the registry job is scaled to 0 and back to 1.
 */
public final class RegistryServer extends RestartableServer {

    private Path program;
    private Path dataDir;
    private Path config;

    @Override
    protected void doStart() throws IOException {
        program = Programs.require("docker-registry", "docker-registry");
        home = TempDirs.create("registry");
        dataDir = Files.createDirectory(home.resolve("data"));
        config = home.resolve("config.yml");
        port = Ports.free();
        Files.writeString(config, config());
        process = new RestartableProcess("docker-registry", List.of(program.toString(), "serve", config.toString()),
                home, port, Duration.ofSeconds(30));
        process.start();
    }

    private String config() {
        return String.join("\n",
                "version: 0.1",
                "log:",
                "  level: info",
                "  formatter: text",
                "storage:",
                "  filesystem:",
                "    rootdirectory: " + dataDir,
                // without it DELETE /v2/<name>/manifests/<digest> answers 405 and nothing ever becomes garbage
                "  delete:",
                "    enabled: true",
                // as in the registry image's own config; the cache dies with the process, so a restart after GC
                // cannot serve a deleted blob from it
                "  cache:",
                "    blobdescriptor: inmemory",
                // no background purge of upload folders racing with a test's garbage-collect
                "  maintenance:",
                "    uploadpurging:",
                "      enabled: false",
                "http:",
                "  addr: 127.0.0.1:" + port,
                // a fixed secret keeps upload state valid across a restart (and silences the random-secret warning)
                "  secret: " + UUID.randomUUID(),
                "");
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The registry's storage root, what the job's GC command gets as {@code {data_dir}}. */
    public Path dataDir() {
        return dataDir;
    }

    public Path configPath() {
        return config;
    }

    public RegistryClient client() {
        return new RegistryClient(url());
    }

    /** Where the registry keeps a blob's bytes, so a test can see that GC really removed them from disk. */
    public Path blobFile(String digest) {
        String hex = digest.substring(digest.indexOf(':') + 1);
        return dataDir.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex)
                .resolve("data");
    }

    /**
     * Runs {@code docker-registry garbage-collect [--dry-run] [--delete-untagged] <config>} on this registry's data.
     * Refused while the registry runs: distribution's GC is only safe on a registry that is not serving (a push
     * during the mark phase loses blobs), which is why the job scales the registry to 0 first.
     */
    public GcOutput garbageCollect(boolean dryRun, boolean deleteUntagged) throws IOException, InterruptedException {
        if (running()) {
            throw new IllegalStateException("garbage-collect only runs while the registry is stopped: stopProcess()");
        }
        List<String> command = new ArrayList<>(List.of(program.toString(), "garbage-collect"));
        if (dryRun) {
            command.add("--dry-run");
        }
        if (deleteUntagged) {
            command.add("--delete-untagged");
        }
        command.add(config.toString());
        Path stdout = Files.createTempFile(home, "gc-", ".out");
        Path stderr = Files.createTempFile(home, "gc-", ".err");
        Process gc = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!gc.waitFor(60, TimeUnit.SECONDS)) {
            gc.destroyForcibly().waitFor();
            throw new IllegalStateException("garbage-collect did not finish within 60 s: " + Files.readString(stderr));
        }
        return new GcOutput(gc.exitValue(), Files.readString(stdout), Files.readString(stderr));
    }

    /**
     * What garbage-collect printed. Stdout carries the report the job parses ({@code blob eligible for deletion:
     * sha256:...}, {@code manifest eligible for deletion: sha256:...}, the summary line); stderr carries logrus lines
     * for what a real run deleted.
     */
    public record GcOutput(int exitCode, String stdout, String stderr) {

        public List<String> eligibleBlobs() {
            return valuesAfter("blob eligible for deletion: ");
        }

        public List<String> eligibleManifests() {
            return valuesAfter("manifest eligible for deletion: ");
        }

        private List<String> valuesAfter(String prefix) {
            return stdout.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()).trim())
                    .toList();
        }
    }
}
