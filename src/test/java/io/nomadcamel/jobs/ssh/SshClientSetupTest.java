package io.nomadcamel.jobs.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.nomadcamel.jobs.testsupport.SshCertificateAuthorities;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A configured key, certificate or host CA that cannot be used is a hard error naming the file and its variable, raised
 * before any connection: never a silent fallback to the bare key, and never the file's content in the message.
 */
class SshClientSetupTest {

    private static SshCertificateAuthorities cas;
    private static Path dir;

    @BeforeAll
    static void makeKeys() {
        cas = SshCertificateAuthorities.create();
        dir = TempDirs.create("ssh-setup");
    }

    @AfterAll
    static void removeKeys() {
        cas.close();
        TempDirs.delete(dir);
    }

    @Test
    void theCertificateAndItsKeyBecomeOneIdentityAndTheCaAKnownHostsLine() throws Exception {
        try (SshClientFactory factory = SshClientFactory.create(settings(cas.userPrivateKey(), cas.userCertificate(),
                cas.hostCaPublicKey()))) {
            var identities = factory.keyPairProvider().loadKeys(null);
            var pair = identities.iterator().next();
            OpenSshCertificate cert = assertInstanceOf(OpenSshCertificate.class, pair.getPublic());
            assertEquals(List.of(cas.user()), List.copyOf(cert.getPrincipals()));
            assertEquals(1, factory.identity().loadKeys(null).spliterator().getExactSizeIfKnown());
            assertTrue(factory.newClient().getServerKeyVerifier() instanceof HostCertificateVerifier);
        }
    }

    @Test
    void aBrokenCertificateFileFailsNamingItWithoutQuotingIt() throws Exception {
        String garbage = "ssh-ed25519-cert-v01@openssh.com AAAAnot-base64-at-all SECRET-LOOKING-CONTENT\n";
        Path cert = write("broken-cert.pub", garbage);
        SshSetupException e = setupFails(cas.userPrivateKey(), cert, cas.hostCaPublicKey());
        assertTrue(e.getMessage().startsWith("SSH certificate " + cert + " (SSH_CERT_PATH) line 1 could not be parsed"),
                e.getMessage());
        assertContentNotQuoted(e, garbage);
    }

    @Test
    void aMissingOrEmptyCertificateFails() throws Exception {
        Path missing = dir.resolve("missing-cert.pub");
        assertEquals("SSH certificate " + missing + " (SSH_CERT_PATH) does not exist",
                setupFails(cas.userPrivateKey(), missing, cas.hostCaPublicKey()).getMessage());
        Path empty = write("empty-cert.pub", "\n# nothing\n");
        assertEquals("SSH certificate " + empty + " (SSH_CERT_PATH) is empty",
                setupFails(cas.userPrivateKey(), empty, cas.hostCaPublicKey()).getMessage());
    }

    @Test
    void aPlainPublicKeyWhereTheCertificateShouldBeIsNotSilentlyUsed() {
        Path plain = SshCertificateAuthorities.pub(cas.userPrivateKey());
        assertEquals("SSH certificate " + plain + " (SSH_CERT_PATH) holds a plain public key, not an OpenSSH certificate",
                setupFails(cas.userPrivateKey(), plain, cas.hostCaPublicKey()).getMessage());
    }

    @Test
    void aCertificateForAnotherKeyOrAHostCertificateIsRefused() {
        Path otherKey = SshCertificateAuthorities.newKey(dir, "other_id");
        SshSetupException e = setupFails(otherKey, cas.userCertificate(), cas.hostCaPublicKey());
        assertEquals("SSH certificate " + cas.userCertificate() + " (SSH_CERT_PATH) is not a certificate for the "
                + "private key " + otherKey + " (SSH_KEY_PATH)", e.getMessage());

        Path hostKey = SshCertificateAuthorities.newKey(dir, "host_as_user");
        Path hostCert = SshCertificateAuthorities.signHostKey(cas.hostCaPrivateKey(), hostKey, "127.0.0.1",
                SshCertificateAuthorities.CURRENT_VALIDITY);
        assertEquals("SSH certificate " + hostCert + " (SSH_CERT_PATH) is a host certificate, not a user certificate",
                setupFails(hostKey, hostCert, cas.hostCaPublicKey()).getMessage());
    }

    @Test
    void aBrokenPrivateKeyFailsNamingItWithoutQuotingIt() throws Exception {
        String truncated = Files.readString(cas.userPrivateKey()).substring(0, 120);
        Path key = write("broken_key", truncated);
        SshSetupException e = setupFails(key, cas.userCertificate(), cas.hostCaPublicKey());
        assertTrue(e.getMessage().startsWith("SSH private key " + key + " (SSH_KEY_PATH) "), e.getMessage());
        assertContentNotQuoted(e, truncated);

        Path missing = dir.resolve("no_such_key");
        assertEquals("SSH private key " + missing + " (SSH_KEY_PATH) does not exist",
                setupFails(missing, cas.userCertificate(), cas.hostCaPublicKey()).getMessage());
    }

    @Test
    void aBrokenOrWrongHostCaFails() throws Exception {
        Path missing = dir.resolve("no_host_ca.pub");
        assertEquals("SSH host CA " + missing + " (SSH_HOST_CA_PATH) does not exist",
                setupFails(cas.userPrivateKey(), cas.userCertificate(), missing).getMessage());
        Path broken = write("broken_ca.pub", "ssh-ed25519 %%%%\n");
        assertTrue(setupFails(cas.userPrivateKey(), cas.userCertificate(), broken).getMessage()
                .startsWith("SSH host CA " + broken + " (SSH_HOST_CA_PATH) line 1 could not be parsed"));
        assertEquals("SSH host CA " + cas.userCertificate() + " (SSH_HOST_CA_PATH) holds a certificate, not a CA "
                + "public key", setupFails(cas.userPrivateKey(), cas.userCertificate(), cas.userCertificate())
                        .getMessage());
    }

    private static SshSetupException setupFails(Path key, Path cert, Path hostCa) {
        SshSetupException e = assertThrows(SshSetupException.class,
                () -> RemoteShell.start(settings(key, cert, hostCa)).close());
        assertFalse(e.getMessage().contains("PRIVATE KEY"), e.getMessage());
        return e;
    }

    /** Neither the message nor any cause's message repeats a line of the file. */
    private static void assertContentNotQuoted(Throwable e, String content) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            for (String line : content.split("\n")) {
                for (String word : line.split(" ")) {
                    if (word.length() > 8) {
                        assertFalse(message.contains(word), "message quotes the file: " + message);
                    }
                }
            }
        }
    }

    private static Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    private static SshSettings settings(Path key, Path cert, Path hostCa) {
        return new SshSettings(key, cert, hostCa, "root", 22, Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(5));
    }
}
