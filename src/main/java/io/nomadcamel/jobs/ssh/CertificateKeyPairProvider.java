package io.nomadcamel.jobs.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.keyprovider.AbstractKeyPairProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * The client's one identity: its private key paired with its OpenSSH user certificate (the {@link KeyPair}'s public
 * half is the certificate, which is how MINA SSHD offers certificate authentication). Both files are read once and
 * checked together; anything wrong is a {@link SshSetupException} naming the file, never a silent fallback to the
 * bare key, which the nodes would refuse with a far less helpful message.
 *
 * <p>Error messages name files and reasons only: parser messages can quote file content, so they are not passed on.
 */
public final class CertificateKeyPairProvider extends AbstractKeyPairProvider {

    private final Path certificateFile;
    private final KeyPair identity;
    private final OpenSshCertificate certificate;

    private CertificateKeyPairProvider(Path certificateFile, KeyPair identity, OpenSshCertificate certificate) {
        this.certificateFile = certificateFile;
        this.identity = identity;
        this.certificate = certificate;
    }

    public static CertificateKeyPairProvider load(Path privateKeyFile, Path certificateFile) {
        KeyPair pair = readPrivateKey(privateKeyFile);
        OpenSshCertificate cert = readCertificate(certificateFile);
        if (!KeyUtils.compareKeys(cert.getCertPubKey(), pair.getPublic())) {
            throw new SshSetupException("SSH certificate " + describe(certificateFile, SshSettings.CERT_PATH)
                    + " is not a certificate for the private key " + describe(privateKeyFile, SshSettings.KEY_PATH));
        }
        return new CertificateKeyPairProvider(certificateFile, new KeyPair(cert, pair.getPrivate()), cert);
    }

    @Override
    public Iterable<KeyPair> loadKeys(SessionContext session) {
        return List.of(identity);
    }

    public OpenSshCertificate certificate() {
        return certificate;
    }

    /** Fails before connecting when the certificate is expired or not yet valid, which nodes report only as "denied". */
    public void requireValidAt(Instant now) {
        if (!OpenSshCertificate.isValidAt(certificate, now)) {
            throw new SshSetupException("SSH certificate " + describe(certificateFile, SshSettings.CERT_PATH)
                    + " is not valid now (" + Validity.describe(certificate) + ")");
        }
    }

    private static KeyPair readPrivateKey(Path file) {
        String what = "SSH private key " + describe(file, SshSettings.KEY_PATH);
        Iterable<KeyPair> pairs;
        try (InputStream in = Files.newInputStream(file)) {
            pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.toString()), in,
                    FilePasswordProvider.EMPTY);
        } catch (IOException e) {
            throw new SshSetupException(what + " " + ioProblem(e));
        } catch (Exception e) {
            throw new SshSetupException(what + " could not be parsed (" + e.getClass().getSimpleName()
                    + "; an unencrypted OpenSSH or PEM private key is expected)");
        }
        Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
        if (it == null || !it.hasNext()) {
            throw new SshSetupException(what + " holds no private key");
        }
        KeyPair pair = it.next();
        if (it.hasNext()) {
            throw new SshSetupException(what + " holds more than one private key");
        }
        return pair;
    }

    private static OpenSshCertificate readCertificate(Path file) {
        String what = "SSH certificate " + describe(file, SshSettings.CERT_PATH);
        PublicKey key = OpenSshPublicKeys.readOne(file, what);
        if (!(key instanceof OpenSshCertificate cert)) {
            throw new SshSetupException(what + " holds a plain public key, not an OpenSSH certificate");
        }
        if (cert.getType() != OpenSshCertificate.Type.USER) {
            throw new SshSetupException(what + " is a host certificate, not a user certificate");
        }
        return cert;
    }

    static String describe(Path file, String settingKey) {
        return file + " (" + io.nomadcamel.jobs.Settings.envName(settingKey) + ")";
    }

    static String ioProblem(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return "is not readable";
        }
        return "could not be read (" + e.getClass().getSimpleName() + ")";
    }
}
