package io.nomadcamel.jobs.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fixture checked with OpenSSH's own client, independently of the MINA code under test: the good server lets the
 * certificate user in and is trusted by its host CA line; each broken variant is refused by ssh too, so the client
 * tests refuse what a real client refuses; two servers sharing CAs form one cluster; stopping leaves nothing.
 */
class SshdServerTest {

    private static Path work;
    private static SshCertificateAuthorities cas;

    @BeforeAll
    static void createWorkDir() {
        work = TempDirs.create("sshd-test");
        cas = SshCertificateAuthorities.create();
    }

    @AfterAll
    static void removeWorkDir() {
        cas.close();
        TempDirs.delete(work);
    }

    @Test
    void opensshClientLogsInWithTheUserCertificateAndTrustsTheHostCertificate() throws Exception {
        SshdServer server = SshdServer.builder().build();
        try (server) {
            server.start();
            for (String host : List.of("127.0.0.1", "localhost")) {
                Result r = ssh(server, host, "echo fixture-ok; id -un");
                assertEquals(0, r.exit, r.output + "\nsshd log:\n" + server.log());
                assertEquals("fixture-ok\n" + server.user() + "\n", r.output);
            }
            assertTrue(server.knownHostsLine().startsWith("@cert-authority [127.0.0.1]:" + server.port() + ",[localhost]:"
                    + server.port() + " ssh-ed25519 "), server.knownHostsLine());
            assertTrue(server.process().alive());
        }
        assertEquals(List.of(), server.leftovers());
    }

    @Test
    void opensshClientRefusesEachBrokenHostVariant() throws Exception {
        Map<String, SshdServer.Builder> variants = Map.of(
                "expired", SshdServer.builder().expiredHostCertificate(),
                "other CA", SshdServer.builder().hostCertificateSignedByAnotherCa(),
                "other principal", SshdServer.builder().hostPrincipals("node-7.example"),
                "no certificate", SshdServer.builder().withoutHostCertificate());
        for (Map.Entry<String, SshdServer.Builder> variant : variants.entrySet()) {
            SshdServer server = variant.getValue().build();
            try (server) {
                server.start();
                Result r = ssh(server, "127.0.0.1", "echo must-not-run");
                assertNotEquals(0, r.exit, variant.getKey() + ": " + r.output);
                assertTrue(r.output.contains("Host key verification failed"), variant.getKey() + ": " + r.output);
            }
            assertEquals(List.of(), server.leftovers(), variant.getKey());
        }
    }

    @Test
    void serversSharingAuthoritiesTrustOneClientAndStopWithoutLeftovers() throws Exception {
        List<SshdServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                SshdServer node = SshdServer.builder().authorities(cas).build();
                nodes.add(node);
                node.start();
            }
            assertNotEquals(nodes.get(0).port(), nodes.get(1).port());
            for (SshdServer node : nodes) {
                assertEquals(cas.userCertificate(), node.userCertificate());
                Result r = ssh(node, "127.0.0.1", "echo node-" + node.port());
                assertEquals("node-" + node.port() + "\n", r.output, node.log());
            }
        } finally {
            nodes.forEach(SshdServer::stop);
        }
        for (SshdServer node : nodes) {
            assertEquals(List.of(), node.leftovers());
        }
        assertTrue(Files.exists(cas.userCertificate()), "shared CAs outlive the servers that use them");
    }

    @Test
    void nodesOnTheirOwnLoopbackAddressesShareOnePortAndEachSeesItsOwnFolderAtOnePath() throws Exception {
        Path common = Files.createDirectories(work.resolve("common-data"));
        int port = Ports.free();
        List<SshdServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Path own = Files.createDirectories(work.resolve("node-" + i));
                Files.writeString(own.resolve("who"), "node-" + i + "\n");
                SshdServer node = SshdServer.builder().authorities(cas).listenAddress("127.0.0." + (90 + i)).port(port)
                        .privateMount(own, common).build();
                nodes.add(node);
                node.start();
            }
            for (int i = 0; i < 2; i++) {
                SshdServer node = nodes.get(i);
                assertEquals("127.0.0." + (90 + i), node.host());
                assertEquals(port, node.port());
                Result r = ssh(node, node.host(), "cat " + common.resolve("who"));
                assertEquals("node-" + i + "\n", r.output, r.output + "\n" + node.log());
            }
            assertFalse(Ports.listening(port), "each listens on its own address only, not on 127.0.0.1");
            try (java.util.stream.Stream<Path> left = Files.list(common)) {
                assertEquals(0, left.count(), "the bind mounts stay inside the nodes' namespaces");
            }
        } finally {
            nodes.forEach(SshdServer::stop);
        }
        for (SshdServer node : nodes) {
            assertEquals(List.of(), node.leftovers());
        }
    }

    @Test
    void stoppingWhileAClientIsConnectedLeavesNoProcess() throws Exception {
        SshdServer server = SshdServer.builder().build();
        server.start();
        Process client = sshProcess(server, "127.0.0.1", "exec sleep 61");
        try {
            // the remote command runs under the connection's own sshd children
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Optional<ProcessHandle> remote = remoteSleep(server);
            while (remote.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                remote = remoteSleep(server);
            }
            assertTrue(remote.isPresent(), "the remote command runs under sshd:\n" + server.log());
            server.stop();
            assertFalse(remote.get().isAlive(), "the remote command was stopped with sshd");
            assertEquals(List.of(), server.leftovers());
        } finally {
            client.destroyForcibly();
            server.stop();
        }
    }

    private static Optional<ProcessHandle> remoteSleep(SshdServer server) {
        return server.process().process().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("sleep 61"))
                .findAny();
    }

    private record Result(int exit, String output) {
    }

    private Result ssh(SshdServer server, String host, String command) throws Exception {
        Process p = sshProcess(server, host, command);
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    private Process sshProcess(SshdServer server, String host, String command) throws Exception {
        Path knownHosts = server.writeKnownHosts(Files.createTempFile(work, "known_hosts", ""));
        List<String> cmd = List.of(Programs.require("ssh", "openssh-client").toString(), "-F", "/dev/null",
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
                "-o", "IdentityFile=" + server.userPrivateKey(), "-o", "CertificateFile=" + server.userCertificate(),
                "-p", String.valueOf(server.port()), server.user() + "@" + host, command);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }
}
