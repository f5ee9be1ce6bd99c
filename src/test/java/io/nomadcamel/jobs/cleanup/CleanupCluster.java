package io.nomadcamel.jobs.cleanup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.nomadcamel.jobs.testsupport.FakeNomad;
import io.nomadcamel.jobs.testsupport.Ports;
import io.nomadcamel.jobs.testsupport.SshCertificateAuthorities;
import io.nomadcamel.jobs.testsupport.SshdServer;
import io.nomadcamel.jobs.testsupport.TempDirs;

/**
 * Nomad client nodes for node-cleanup tests, all on this machine: one real sshd per node, each on its own loopback
 * address (127.0.0.x) and all on one port, as a cluster's nodes share SSH_PORT and differ by address. FakeNomad
 * reports each node's address as its {@code unique.network.ip-address}, so the job finds them exactly as in
 * production. Each sshd runs in its own mount namespace where the common data dir path {@link #dataDir()} shows
 * that node's real folder ({@link Node#dir()}): the job sees one /opt/nomad/data per node, the test prepares and
 * inspects each node's folder directly. Each folder starts as a Nomad client's does: {@code alloc/} and
 * {@code client/client-id} (the node's Nomad id). Every command a node runs is logged (NUL-terminated) by a ForceCommand
 * wrapper, and a fake docker CLI prints real docker output.
 */
final class CleanupCluster implements AutoCloseable {

    static final String SUBNET = "127.0.0.";

    /** A node: its Nomad name, address, sshd, real data folder and command log. */
    record Node(String name, String ip, SshdServer sshd, Path dir, Path commandLog, Path spans) {

        /** The commands this node ran, in order, each as sent (RemoteSession's "echo $$" line included). */
        List<String> commands() {
            try {
                if (!Files.exists(commandLog)) {
                    return List.of();
                }
                String text = Files.readString(commandLog, StandardCharsets.UTF_8);
                return text.isEmpty() ? List.of() : Arrays.asList(text.substring(0, text.length() - 1).split("\0", -1));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final FakeNomad nomad;
    private final Path root;
    private final Path dataDir;
    private final Path bin;
    private final SshCertificateAuthorities cas;
    private final int port;
    private final List<Node> nodes = new ArrayList<>();
    private int next;

    private CleanupCluster(FakeNomad nomad, Path root, SshCertificateAuthorities cas, int port) throws IOException {
        this.nomad = nomad;
        this.root = root;
        this.cas = cas;
        this.port = port;
        this.dataDir = Files.createDirectories(root.resolve("nomad-data"));
        this.bin = Files.createDirectories(root.resolve("bin"));
        for (String file : List.of("fake-docker.sh", "system-prune-af.stdout", "system-df.stdout")) {
            try (InputStream in = CleanupCluster.class.getResourceAsStream("/fixtures/docker/" + file)) {
                Files.copy(in, bin.resolve(file.equals("fake-docker.sh") ? "docker" : file));
            }
        }
        Files.setPosixFilePermissions(bin.resolve("docker"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static CleanupCluster create(FakeNomad nomad) {
        Path root = TempDirs.create("cleanup-cluster");
        SshCertificateAuthorities cas = SshCertificateAuthorities.create();
        try {
            return new CleanupCluster(nomad, root, cas, Ports.free());
        } catch (IOException e) {
            cas.close();
            TempDirs.delete(root);
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How a test node behaves beyond its sshd: every command may start late (a slow node), its {@code rm} may be
     * slow (a shim on the PATH sleeps first: a delete a stop can interrupt), and the start and end time of each
     * command may be recorded in {@link Node#spans()}. Recording spans keeps the wrapper shell alive around the
     * command, so "echo $$" then names the inner shell, not the process group a stop kills: use it only where nothing
     * is stopped.
     */
    record Behaviour(Duration commandDelay, Duration rmDelay, boolean recordSpans) {
        static final Behaviour NORMAL = new Behaviour(Duration.ZERO, Duration.ZERO, false);
    }

    /** A healthy node named node-<n>. */
    Node addNode() {
        return addNode(UnaryOperator.identity(), Behaviour.NORMAL);
    }

    /** A node whose sshd is built with {@code variant} applied, e.g. a broken host certificate. */
    Node addNode(UnaryOperator<SshdServer.Builder> variant) {
        return addNode(variant, Behaviour.NORMAL);
    }

    Node addNode(Behaviour behaviour) {
        return addNode(UnaryOperator.identity(), behaviour);
    }

    Node addNode(UnaryOperator<SshdServer.Builder> variant, Behaviour behaviour) {
        int n = ++next;
        String name = "node-" + n;
        String ip = SUBNET + (40 + n);
        try {
            Path nodeRoot = Files.createDirectories(root.resolve(name));
            Path dir = Files.createDirectories(nodeRoot.resolve("data"));
            Path log = nodeRoot.resolve("commands.log");
            Path spans = nodeRoot.resolve("spans.log");
            Path wrapper = wrapper(nodeRoot, log, spans, behaviour);
            SshdServer sshd = variant.apply(SshdServer.builder().authorities(cas).listenAddress(ip).port(port)
                    .privateMount(dir, dataDir).forceCommand(wrapper.toString())).build();
            Node node = new Node(name, ip, sshd, dir, log, spans);
            nodes.add(node);
            sshd.start();
            String id = nomad.addNode(name, ip).id();
            nomadClientDirs(dir, id);
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What a Nomad client keeps in every data dir whatever runs on it: {@code alloc/}, and {@code client/} holding
     * {@code client-id}, the node id the client registered with (written as Nomad writes it: the bare id, no newline).
     * Made old, as on a node that has been up for a while, so no test depends on their age.
     */
    static void nomadClientDirs(Path dir, String nodeId) throws IOException {
        Files.createDirectories(dir.resolve("alloc"));
        Files.createDirectories(dir.resolve("client"));
        Files.writeString(dir.resolve("client").resolve("client-id"), nodeId);
        FileTime old = FileTime.from(Instant.now().minus(DataDirs.DAY.multipliedBy(400)));
        Files.setLastModifiedTime(dir.resolve("alloc"), old);
        Files.setLastModifiedTime(dir.resolve("client"), old);
    }

    /** The node's ForceCommand: logs the command sent, then runs it as sshd would have. */
    private static Path wrapper(Path nodeRoot, Path log, Path spans, Behaviour b) throws IOException {
        StringBuilder script = new StringBuilder("#!/bin/sh\n")
                .append("printf '%s\\0' \"$SSH_ORIGINAL_COMMAND\" >> '").append(log).append("'\n");
        if (!b.rmDelay().isZero()) {
            Path shims = Files.createDirectories(nodeRoot.resolve("shims"));
            executable(shims.resolve("rm"), "#!/bin/sh\nsleep " + seconds(b.rmDelay()) + "\nexec /bin/rm \"$@\"\n");
            script.append("PATH='").append(shims).append("':$PATH; export PATH\n");
        }
        if (b.recordSpans()) {
            script.append("s=$(date +%s.%N)\n");
        }
        if (!b.commandDelay().isZero()) {
            script.append("sleep ").append(seconds(b.commandDelay())).append('\n');
        }
        if (b.recordSpans()) {
            script.append("/bin/sh -c \"$SSH_ORIGINAL_COMMAND\"; rc=$?\n")
                    .append("echo \"$s $(date +%s.%N)\" >> '").append(spans).append("'\nexit $rc\n");
        } else {
            script.append("exec /bin/sh -c \"$SSH_ORIGINAL_COMMAND\"\n");
        }
        return executable(nodeRoot.resolve("force-command.sh"), script.toString());
    }

    private static String seconds(Duration d) {
        return String.valueOf(d.toMillis() / 1000.0);
    }

    private static Path executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** A node Nomad reports as ready at an address where no sshd listens. */
    Node addUnreachableNode() {
        int n = ++next;
        String name = "node-" + n;
        String ip = SUBNET + (40 + n);
        nomad.addNode(name, ip);
        return new Node(name, ip, null, root.resolve(name), root.resolve(name).resolve("commands.log"),
                root.resolve(name).resolve("spans.log"));
    }

    /** The path every node's data dir is seen at over SSH: the job's data_dir. */
    Path dataDir() {
        return dataDir;
    }

    /** The job's settings for this cluster (keys of application.properties). */
    Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("nomad.addr", nomad.url());
        s.put("nomad.retry-backoff", "10ms");
        s.put("ssh.key-path", cas.userPrivateKey().toString());
        s.put("ssh.cert-path", cas.userCertificate().toString());
        s.put("ssh.host-ca-path", cas.hostCaPublicKey().toString());
        s.put("ssh.user", cas.user());
        s.put("ssh.port", String.valueOf(port));
        s.put("ssh.connect-timeout", "5s");
        s.put("ssh.auth-timeout", "10s");
        s.put("ssh.command-timeout", "60s");
        s.put(NodeCleanupJob.DOCKER_BIN, bin.resolve("docker").toString());
        return s;
    }

    /** The same as environment variables, for the application as a process. */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        settings().forEach((k, v) -> env.put(io.nomadcamel.jobs.Settings.envName(k), v));
        return env;
    }

    /** Arguments the fake docker was called with, one call a line, from every node. */
    List<String> dockerCalls() throws IOException {
        Path log = bin.resolve("docker-calls.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    SshCertificateAuthorities authorities() {
        return cas;
    }

    Path root() {
        return root;
    }

    List<Node> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (Node node : nodes) {
            try {
                if (node.sshd() != null) {
                    node.sshd().stop();
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        cas.close();
        TempDirs.delete(root);
        if (failure != null) {
            throw failure;
        }
    }
}
