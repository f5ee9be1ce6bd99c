package io.nomadcamel.jobs.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;

import io.nomadcamel.jobs.testsupport.SshCertificateAuthorities;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.signature.Signature;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The verifier's own certificate checks, on certificates made by ssh-keygen. Against a real sshd MINA's key exchange
 * refuses expired and misaddressed certificates first, so these checks are reached only here; the forged signature
 * is the case MINA's KnownHostsServerKeyVerifier alone would accept, as it compares only the CA key a certificate names.
 */
class HostCertificateCheckSshTest {

    private static final List<NamedFactory<Signature>> SIGNATURES = ClientBuilder.setUpDefaultSignatureFactories(true);
    private static Path dir;
    private static Path ca;

    @BeforeAll
    static void makeCa() {
        dir = TempDirs.create("host-cert-check");
        ca = SshCertificateAuthorities.newKey(dir, "host_ca");
    }

    @AfterAll
    static void removeDir() {
        TempDirs.delete(dir);
    }

    @Test
    void aCurrentCertificateFromTheCaForTheDialledHostIsSound() throws Exception {
        PublicKey cert = hostCert("good", "127.0.0.1,localhost", SshCertificateAuthorities.CURRENT_VALIDITY);
        assertNull(problem("127.0.0.1", cert));
        assertNull(problem("localhost", cert));
    }

    @Test
    void expiredAndNotYetValidCertificatesAreRefused() throws Exception {
        String expired = problem("127.0.0.1", hostCert("expired", "127.0.0.1", "20200101:20200102"));
        assertEquals("its host certificate is expired or not yet valid (valid from 2020-01-01T00:00:00Z to "
                + "2020-01-02T00:00:00Z)", expired.replaceAll("T\\d\\d:\\d\\d:\\d\\dZ", "T00:00:00Z"));
        assertTrue(problem("127.0.0.1", hostCert("future", "127.0.0.1", "+1d:+2d")).contains("not yet valid"));
    }

    @Test
    void aCertificateForAnotherHostOrForNoHostIsRefused() throws Exception {
        assertEquals("its host certificate is for principals [node-7.example], not for 127.0.0.1",
                problem("127.0.0.1", hostCert("other", "node-7.example", SshCertificateAuthorities.CURRENT_VALIDITY)));
        assertEquals("its host certificate is for principals [], not for 127.0.0.1",
                problem("127.0.0.1", hostCert("none", "", SshCertificateAuthorities.CURRENT_VALIDITY)));
    }

    @Test
    void aUserCertificateOrPlainKeyIsNotAHostCertificate() throws Exception {
        Path key = SshCertificateAuthorities.newKey(dir, "user_as_host");
        Path userCert = SshCertificateAuthorities.signUserKey(ca, key, "127.0.0.1",
                SshCertificateAuthorities.CURRENT_VALIDITY);
        assertEquals("its certificate is a user certificate, not a host certificate",
                problem("127.0.0.1", read(userCert)));
        assertEquals("it offered a plain ssh-ed25519 host key, not a host certificate",
                problem("127.0.0.1", read(SshCertificateAuthorities.pub(key))));
    }

    @Test
    void aCertificateWhoseCaSignatureWasTamperedWithIsRefused() throws Exception {
        hostCert("to_forge", "127.0.0.1", SshCertificateAuthorities.CURRENT_VALIDITY);
        Path good = SshCertificateAuthorities.cert(dir.resolve("to_forge"));
        assertNull(problem("127.0.0.1", read(good)));
        String[] fields = Files.readString(good).strip().split(" ");
        byte[] blob = Base64.getDecoder().decode(fields[1]);
        blob[blob.length - 1] ^= 0x01; // the CA signature is the blob's last field
        Path forged = dir.resolve("forged-cert.pub");
        Files.writeString(forged, fields[0] + " " + Base64.getEncoder().encodeToString(blob) + "\n");
        assertEquals("its host certificate's CA signature is invalid", problem("127.0.0.1", read(forged)));
    }

    private static String problem(String host, PublicKey key) throws Exception {
        return HostCertificateVerifier.certificateProblem(host, key, SIGNATURES);
    }

    private static PublicKey hostCert(String name, String principals, String validity) {
        Path key = SshCertificateAuthorities.newKey(dir, name);
        return read(SshCertificateAuthorities.signHostKey(ca, key, principals, validity));
    }

    private static PublicKey read(Path file) {
        return OpenSshPublicKeys.readOne(file, "test key " + file);
    }
}
