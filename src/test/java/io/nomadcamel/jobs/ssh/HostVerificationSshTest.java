package io.nomadcamel.jobs.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.nomadcamel.jobs.testsupport.SshCertificateAuthorities;
import io.nomadcamel.jobs.testsupport.SshdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client trusts a node only by a current host certificate from the configured host CA naming the dialled host.
 * Each refused case runs against a real sshd offering exactly that flaw. Messages are asserted because an operator
 * acts on them.
 */
class HostVerificationSshTest {

    static final SshCertificateAuthorities CAS = SshCertificateAuthorities.create();
    static final String DH_GEX = "diffie-hellman-group-exchange-sha256";

    @RegisterExtension
    static final SshdServer GOOD = SshdServer.builder().authorities(CAS).build();
    @RegisterExtension
    static final SshdServer EXPIRED = SshdServer.builder().authorities(CAS).expiredHostCertificate().build();
    @RegisterExtension
    static final SshdServer OTHER_CA = SshdServer.builder().authorities(CAS).hostCertificateSignedByAnotherCa().build();
    @RegisterExtension
    static final SshdServer OTHER_PRINCIPAL = SshdServer.builder().authorities(CAS).hostPrincipals("node-7.example")
            .build();
    @RegisterExtension
    static final SshdServer PLAIN_KEY = SshdServer.builder().authorities(CAS).withoutHostCertificate().build();
    @RegisterExtension
    static final SshdServer NO_PRINCIPALS = SshdServer.builder().authorities(CAS).hostPrincipals("").build();
    @RegisterExtension
    static final SshdServer GOOD_GEX = SshdServer.builder().authorities(CAS).kexAlgorithms(DH_GEX).build();

    @AfterAll
    static void noSshdLeft() throws Exception {
        try {
            SshTestSettings.assertStoppedWithoutLeftovers(GOOD, EXPIRED, OTHER_CA, OTHER_PRINCIPAL, PLAIN_KEY,
                    NO_PRINCIPALS, GOOD_GEX);
        } finally {
            CAS.close();
        }
    }

    @Test
    void aHostWithAValidCertificateIsTrustedByAddressAndByName() {
        try (RemoteShell shell = RemoteShell.start(SshTestSettings.of(CAS, 22))) {
            for (String host : new String[] {"127.0.0.1", "localhost"}) {
                try (RemoteSession session = shell.connect(host, GOOD.port())) {
                    assertEquals("verified\n", session.run("echo verified").stdout());
                }
            }
        }
    }

    @Test
    void everyCaInTheHostCaFileIsTrustedSoACaCanBeRotated() throws Exception {
        try (SshCertificateAuthorities next = SshCertificateAuthorities.create();
                SshdServer node = SshdServer.builder().authorities(next).build()) {
            node.start();
            Path bothCas = Files.createTempFile("ncj-host-cas", ".pub");
            try {
                Files.writeString(bothCas, Files.readString(CAS.hostCaPublicKey()) + "# the next host CA\n"
                        + Files.readString(next.hostCaPublicKey()));
                SshSettings settings = new SshSettings(next.userPrivateKey(), next.userCertificate(), bothCas,
                        next.user(), node.port(), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10));
                try (RemoteShell shell = RemoteShell.start(settings)) {
                    assertEquals("rotated\n", shell.run("127.0.0.1", "echo rotated").stdout());
                }
            } finally {
                Files.deleteIfExists(bothCas);
            }
            node.stop();
            assertEquals(List.of(), node.leftovers());
        }
    }

    @Test
    void anExpiredHostCertificateIsRefused() {
        SshConnectException e = refused(EXPIRED);
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
    }

    @Test
    void aHostCertificateFromAnotherCaIsRefused() {
        SshConnectException e = refused(OTHER_CA);
        assertTrue(e.getMessage().contains("not signed by the host CA in " + CAS.hostCaPublicKey()), e.getMessage());
    }

    @Test
    void aHostCertificateForAnotherPrincipalIsRefused() {
        SshConnectException e = refused(OTHER_PRINCIPAL);
        assertTrue(e.getMessage().contains("principal") && e.getMessage().contains("127.0.0.1"), e.getMessage());
    }

    @Test
    void aPlainHostKeyIsRefusedWithoutTrustOnFirstUse() {
        SshConnectException e = refused(PLAIN_KEY);
        assertTrue(e.getMessage().contains("plain ssh-ed25519 host key, not a host certificate"), e.getMessage());
        // refusing twice shows nothing was learned (no known_hosts entry written on first sight)
        assertEquals(SshConnectException.Reason.HOST_NOT_VERIFIED, refused(PLAIN_KEY).reason());
    }

    @Test
    void aHostCertificateNamingNoHostIsRefused() {
        SshConnectException e = refused(NO_PRINCIPALS);
        assertTrue(e.getMessage().contains("principals [], not for 127.0.0.1"), e.getMessage());
    }

    /**
     * sshd-core 2.16's DH group exchange neither checks host certificates nor handles them in its signature check, so
     * the client does not offer it: a node that allows nothing else is a key exchange failure, never a session.
     */
    @Test
    void aNodeThatOnlyAllowsDiffieHellmanGroupExchangeIsNeverUsed() {
        try (RemoteShell shell = RemoteShell.start(SshTestSettings.of(CAS, GOOD_GEX.port()))) {
            SshConnectException e = assertThrows(SshConnectException.class,
                    () -> shell.run("127.0.0.1", "touch /must-not-run"));
            assertEquals(SshConnectException.Reason.KEY_EXCHANGE_FAILED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("key exchange failed"), e.getMessage());
        }
        assertTrue(!GOOD_GEX.log().contains("Accepted publickey"), GOOD_GEX.log());
    }

    private static SshConnectException refused(SshdServer server) {
        try (RemoteShell shell = RemoteShell.start(SshTestSettings.of(CAS, server.port()))) {
            SshConnectException e = assertThrows(SshConnectException.class,
                    () -> shell.run("127.0.0.1", "touch /must-not-run"));
            assertEquals(SshConnectException.Reason.HOST_NOT_VERIFIED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().startsWith("127.0.0.1:" + server.port() + ": host not verified: "),
                    e.getMessage());
            assertTrue(!server.log().contains("Accepted publickey"), "no login may happen:\n" + server.log());
            return e;
        }
    }
}
