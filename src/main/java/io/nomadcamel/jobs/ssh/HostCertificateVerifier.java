package io.nomadcamel.jobs.ssh;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.WeakHashMap;

import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trusts a node only by a host certificate that the configured host CA signed for the very name or address we dialled:
 * no trust on first use, no accept-all, no plain host keys. The CA match itself is MINA's
 * {@code KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier, known_hosts)} over a generated known_hosts file of
 * {@code @cert-authority * <CA key>} lines. The certificate checks are done here as well, because in sshd-core 2.16
 * only the plain Diffie-Hellman key exchanges (DHGClient) check a host certificate's CA signature, validity and
 * principals; DH group exchange (DHGEXClient) checks none of them (the client no longer offers it, see
 * {@link SshClientFactory}), and KnownHostsServerKeyVerifier compares only the CA key the certificate names, not the
 * signature. A refusal is logged and kept for {@link #rejection}.
 */
public final class HostCertificateVerifier implements ServerKeyVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(HostCertificateVerifier.class);

    private final Path caFile;
    private final ServerKeyVerifier knownHosts;
    /** Not a session attribute: a refused session is closed at once, and closing may clear its attributes. */
    private final Map<ClientSession, String> rejections = Collections.synchronizedMap(new WeakHashMap<>());

    private HostCertificateVerifier(Path caFile, ServerKeyVerifier knownHosts) {
        this.caFile = caFile;
        this.knownHosts = knownHosts;
    }

    /**
     * Reads the host CA public key(s) (several lines allow a CA rotation) and writes the known_hosts file that trusts
     * them for every host.
     */
    public static HostCertificateVerifier create(Path hostCaFile, Path knownHostsFile) {
        String what = "SSH host CA " + CertificateKeyPairProvider.describe(hostCaFile, SshSettings.HOST_CA_PATH);
        List<PublicKey> cas = OpenSshPublicKeys.readAll(hostCaFile, what);
        StringBuilder lines = new StringBuilder();
        for (PublicKey ca : cas) {
            if (ca instanceof OpenSshCertificate) {
                throw new SshSetupException(what + " holds a certificate, not a CA public key");
            }
            lines.append("@cert-authority * ").append(PublicKeyEntry.toString(ca)).append('\n');
        }
        try {
            Files.writeString(knownHostsFile, lines);
        } catch (IOException e) {
            throw new SshSetupException("cannot write the generated known_hosts file " + knownHostsFile + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        return new HostCertificateVerifier(hostCaFile,
                new AnyPortKnownHostsVerifier(RejectAllServerKeyVerifier.INSTANCE, knownHostsFile));
    }

    /** Why this verifier refused the session's host, if it did. */
    public Optional<String> rejection(ClientSession session) {
        return Optional.ofNullable(rejections.get(session));
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        String host = dialledHost(session, remoteAddress);
        String problem;
        try {
            problem = certificateProblem(host, serverKey, session.getSignatureFactories());
        } catch (Exception e) {
            problem = "its host certificate could not be checked (" + e.getClass().getSimpleName() + ")";
        }
        if (problem == null && !knownHosts.verifyServerKey(session, remoteAddress, serverKey)) {
            problem = "its host certificate is not signed by the host CA in " + caFile;
        }
        if (problem == null) {
            return true;
        }
        rejections.put(session, problem);
        LOG.warn("SSH host {} ({}) not verified: {}", host, remoteAddress, problem);
        return false;
    }

    /** What is wrong with a host key offered for {@code host}, or null if it is a sound host certificate. */
    static String certificateProblem(String host, PublicKey key, List<NamedFactory<Signature>> signatures)
            throws Exception {
        if (!(key instanceof OpenSshCertificate cert)) {
            return "it offered a plain " + KeyUtils.getKeyType(key) + " host key, not a host certificate";
        }
        if (cert.getType() != OpenSshCertificate.Type.HOST) {
            return "its certificate is a user certificate, not a host certificate";
        }
        if (!OpenSshCertificate.isValidNow(cert)) {
            return "its host certificate is expired or not yet valid (" + Validity.describe(cert) + ")";
        }
        // Stricter than OpenSSH, which accepts a host certificate without principals for any host: ours must name it.
        Collection<String> principals = cert.getPrincipals();
        if (principals == null || !principals.contains(host)) {
            return "its host certificate is for principals " + principals + ", not for " + host;
        }
        if (cert.getCriticalOptions() != null && !cert.getCriticalOptions().isEmpty()) {
            return "its host certificate has critical options, which no host certificate may have";
        }
        if (!caSignatureValid(cert, signatures)) {
            return "its host certificate's CA signature is invalid";
        }
        return null;
    }

    private static boolean caSignatureValid(OpenSshCertificate cert, List<NamedFactory<Signature>> signatures)
            throws Exception {
        PublicKey ca = cert.getCaPubKey();
        String algorithm = cert.getSignatureAlgorithm();
        if (!KeyUtils.getKeyType(ca).equals(KeyUtils.getCanonicalKeyType(algorithm))) {
            return false;
        }
        Signature verifier = NamedFactory.create(signatures, algorithm);
        if (verifier == null) {
            return false;
        }
        verifier.initVerifier(null, ca);
        verifier.update(null, cert.getMessage());
        return verifier.verify(null, cert.getSignature());
    }

    /** The name or address we were asked to connect to (principals name that), not what it resolved to. */
    private static String dialledHost(ClientSession session, SocketAddress remoteAddress) {
        SocketAddress address = session.getConnectAddress() != null ? session.getConnectAddress() : remoteAddress;
        if (address instanceof SshdSocketAddress sshd) {
            return sshd.getHostName();
        }
        if (address instanceof InetSocketAddress inet) {
            return inet.getHostString();
        }
        return String.valueOf(address);
    }

    /**
     * MINA matches a known_hosts pattern without {@code [host]:port} only on port 22 (HostPatternsHolder.isPortMatch),
     * while OpenSSH's {@code *} matches every port. A CA vouches for hosts, not ports, so match as if on port 22.
     */
    static final class AnyPortKnownHostsVerifier extends KnownHostsServerKeyVerifier {
        AnyPortKnownHostsVerifier(ServerKeyVerifier delegate, Path file) {
            super(delegate, file);
        }

        @Override
        protected Collection<SshdSocketAddress> resolveHostNetworkIdentities(ClientSession session,
                SocketAddress remoteAddress) {
            Collection<SshdSocketAddress> anyPort = new TreeSet<>(SshdSocketAddress.BY_HOST_AND_PORT);
            for (SshdSocketAddress a : super.resolveHostNetworkIdentities(session, remoteAddress)) {
                anyPort.add(new SshdSocketAddress(a.getHostName(), 0));
            }
            return anyPort;
        }
    }
}
