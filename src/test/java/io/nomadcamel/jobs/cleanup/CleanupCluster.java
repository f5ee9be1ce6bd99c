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
 * inspects each node's folder directly. Every command a node runs is logged (NUL-terminated) by a ForceCommand
 * wrapper, and a fake docker CLI prints real docker output.
 */
final class CleanupCluster implements AutoCloseable {

    static final String SUBNET = "127.0.0.";

    /** A node: its Nomad name, address, sshd, real data folder and command log. */
    record Node(String name, String ip, SshdServer sshd, Path dir, Path commandLog) {

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

    /** A healthy node named node-<n>. */
    Node addNode() {
        return addNode(UnaryOperator.identity(), Duration.ZERO);
    }

    /**
     * A node whose sshd is built with {@code variant} applied (e.g. a broken host certificate) and whose every
     * command starts {@code commandDelay} late (a slow node).
     */
    Node addNode(UnaryOperator<SshdServer.Builder> variant, Duration commandDelay) {
        int n = ++next;
        String name = "node-" + n;
        String ip = SUBNET + (40 + n);
        try {
            Path nodeRoot = Files.createDirectories(root.resolve(name));
            Path dir = Files.createDirectories(nodeRoot.resolve("data"));
            Path log = nodeRoot.resolve("commands.log");
            String delay = commandDelay.isZero() ? "" : "sleep " + commandDelay.toMillis() / 1000.0 + "; ";
            SshdServer sshd = variant.apply(SshdServer.builder().authorities(cas).listenAddress(ip).port(port)
                    .privateMount(dir, dataDir)
                    .forceCommand("printf '%s\\0' \"$SSH_ORIGINAL_COMMAND\" >> " + log + "; " + delay
                            + "exec /bin/sh -c \"$SSH_ORIGINAL_COMMAND\""))
                    .build();
            Node node = new Node(name, ip, sshd, dir, log);
            nodes.add(node);
            sshd.start();
            nomad.addNode(name, ip);
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A node Nomad reports as ready at an address where no sshd listens. */
    Node addUnreachableNode() {
        int n = ++next;
        String name = "node-" + n;
        String ip = SUBNET + (40 + n);
        nomad.addNode(name, ip);
        return new Node(name, ip, null, root.resolve(name), root.resolve(name).resolve("commands.log"));
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

    /** Creates a folder (with a file in it) or a file, then sets its mtime to exactly {@code age} ago. */
    static Path entry(Path dir, String name, Duration age, boolean folder) throws IOException {
        Path p = dir.resolve(name);
        if (folder) {
            Files.createDirectory(p);
            Files.writeString(p.resolve("payload.txt"), "left by " + name);
        } else {
            Files.writeString(p, "file " + name);
        }
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(age)));
        return p;
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
