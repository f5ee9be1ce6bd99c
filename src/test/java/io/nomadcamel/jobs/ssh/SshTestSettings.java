package io.nomadcamel.jobs.ssh;

import java.time.Duration;
import java.util.List;

import io.nomadcamel.jobs.testsupport.SshCertificateAuthorities;
import io.nomadcamel.jobs.testsupport.SshdServer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Client settings that trust a fixture's CAs, with short timeouts for tests. */
final class SshTestSettings {

    private SshTestSettings() {
    }

    static SshSettings of(SshCertificateAuthorities cas, int port) {
        return new SshSettings(cas.userPrivateKey(), cas.userCertificate(), cas.hostCaPublicKey(), cas.user(), port,
                Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    static SshSettings of(SshdServer server) {
        return of(server.authorities(), server.port());
    }

    /** Stops the servers and asserts that neither sshd nor its connection children nor its temp dir is left. */
    static void assertStoppedWithoutLeftovers(SshdServer... servers) throws Exception {
        for (SshdServer server : servers) {
            server.stop();
        }
        for (SshdServer server : servers) {
            assertEquals(List.of(), server.leftovers());
        }
    }
}
