package io.nomadcamel.jobs.cleanup;

import static io.nomadcamel.jobs.cleanup.DataDirs.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.nomadcamel.jobs.testsupport.FakeNomad;
import io.nomadcamel.jobs.testsupport.SshdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whom node-cleanup trusts and how it logs in, end to end through the job: a node is cleaned only if its sshd shows
 * a host certificate from SSH_HOST_CA_PATH that is valid now and names the address dialled; the job logs in only with
 * the configured certificate, and a broken certificate file fails the run naming the file before any node is touched.
 */
class NodeCleanupHostTrustTest {

    @RegisterExtension
    static final FakeNomad NOMAD = new FakeNomad();

    private static CleanupCluster cluster;
    private static CleanupCluster.Node good;
    private static Map<String, CleanupCluster.Node> refused;

    @BeforeAll
    static void nodes() {
        cluster = CleanupCluster.create(NOMAD);
        good = cluster.addNode();
        refused = Map.of(
                "no host certificate", cluster.addNode(SshdServer.Builder::withoutHostCertificate),
                "another CA", cluster.addNode(SshdServer.Builder::hostCertificateSignedByAnotherCa),
                "another principal", cluster.addNode(b -> b.hostPrincipals("10.9.9.9")),
                "expired", cluster.addNode(SshdServer.Builder::expiredHostCertificate));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @BeforeEach
    void orphans() throws Exception {
        for (CleanupCluster.Node node : cluster.nodes()) {
            Files.deleteIfExists(node.commandLog());
            if (!Files.exists(node.dir().resolve("orphan"))) {
                entry(node.dir(), "orphan", Duration.ofDays(30), true);
            }
        }
    }

    private static CleanupJobRunner.Outcome run(Map<String, String> settings) throws Exception {
        try (CleanupJobRunner runner = new CleanupJobRunner(settings)) {
            return runner.run(Map.of("data_dir", cluster.dataDir().toString(), "dry_run", false));
        }
    }

    @Test
    void nodesWithoutAHostCertificateFromTheHostCaForTheirAddressAreRefusedAndUntouched() throws Exception {
        CleanupJobRunner.Outcome outcome = run(cluster.settings());

        assertFalse(outcome.succeeded());
        assertTrue(outcome.error().startsWith("node-cleanup failed on 4 of 5 node(s): "), outcome.error());
        assertFalse(Files.exists(good.dir().resolve("orphan")), "the trusted node is cleaned");
        assertEquals("ok", outcome.node(good.name()).get("status"));
        // our verifier's words, or MINA's when its key exchange refuses the certificate first
        Map<String, String> why = Map.of(
                "no host certificate", "it offered a plain ssh-ed25519 host key, not a host certificate",
                "another CA", "host CA",
                "another principal", "10.9.9.9",
                "expired", "expired");
        refused.forEach((variant, node) -> {
            assertTrue(outcome.error().contains(node.name() + " (" + node.ip() + ")"), variant + ": " + outcome.error());
            String error = String.valueOf(((List<?>) outcome.node(node.name()).get("errors")).get(0));
            assertTrue(error.startsWith(node.ip() + ":" + node.sshd().port() + ": host not verified: "), error);
            assertTrue(error.contains(why.get(variant)), variant + ": " + error);
            assertTrue(Files.exists(node.dir().resolve("orphan")), variant + ": nothing deleted");
            assertEquals(List.of(), node.commands(), variant + ": no command ran there");
        });
    }

    @Test
    void aBrokenClientCertificateFileFailsTheRunNamingItBeforeAnyNodeIsTouched() throws Exception {
        Path broken = cluster.root().resolve("broken-cert.pub");
        Files.writeString(broken, "ssh-ed25519-cert-v01@openssh.com AAAAnot-base64!! user@host\n");
        Map<String, String> settings = new HashMap<>(cluster.settings());
        settings.put("ssh.cert-path", broken.toString());

        CleanupJobRunner.Outcome outcome = run(settings);

        assertFalse(outcome.succeeded());
        assertTrue(outcome.error().contains(broken.toString()) && outcome.error().contains("SSH_CERT_PATH"),
                outcome.error());
        for (CleanupCluster.Node node : cluster.nodes()) {
            assertTrue(Files.exists(node.dir().resolve("orphan")));
            assertEquals(List.of(), node.commands(), node.name());
        }
    }

    @Test
    void aMissingSshSettingFailsTheRunNamingItsVariable() throws Exception {
        Map<String, String> settings = new HashMap<>(cluster.settings());
        settings.remove("ssh.key-path");

        CleanupJobRunner.Outcome outcome = run(settings);

        assertEquals("Missing setting ssh.key-path (environment variable SSH_KEY_PATH)", outcome.error());
        for (CleanupCluster.Node node : cluster.nodes()) {
            assertTrue(Files.exists(node.dir().resolve("orphan")));
            assertEquals(List.of(), node.commands(), node.name());
        }
    }
}
