package io.nomadcamel.jobs.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * Builds MINA SSHD clients that authenticate only with the configured user certificate and trust hosts only by the
 * host CA, for {@link RemoteShell} and for camel-ssh routes alike.
 *
 * <p>camel-ssh 4.17 (read from its sources): {@code SshConfiguration.clientBuilder} is an
 * {@code org.apache.sshd.client.ClientBuilder}; SshProducer/SshConsumer call {@code clientBuilder.build(true)} in
 * doStart, else {@code SshClient.setUpDefaultClient()}, which accepts every host key. Pass {@link #clientBuilder()} as
 * {@code clientBuilder} and {@link #keyPairProvider()} as {@code keyPairProvider} (SshHelper offers the provider's
 * first key pair as the session identity, else falls back to a password), and never set
 * {@code knownHostsResource}: on every exchange it replaces the verifier with ResourceBasedSSHKeyVerifier, which
 * ignores {@code @cert-authority} and, unless {@code failOnUnknownHost}, accepts unknown hosts. camel-ssh's
 * {@code timeout} bounds connect, auth and channel open only: SshHelper then waits for the command with
 * {@code channel.waitFor(CLOSED, 0)}, i.e. forever, so commands that need a limit go through {@link RemoteShell}.
 */
public final class SshClientFactory implements AutoCloseable {

    /** Keep-alives every 30 s; a node that answers none of 4 in a row is dead and its session is closed. */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(30);
    static final int HEARTBEAT_MISSES = 4;

    private final SshSettings settings;
    private final CertificateKeyPairProvider identity;
    private final HostCertificateVerifier verifier;
    private final Path workDir;

    private SshClientFactory(SshSettings settings, CertificateKeyPairProvider identity,
            HostCertificateVerifier verifier, Path workDir) {
        this.settings = settings;
        this.identity = identity;
        this.verifier = verifier;
        this.workDir = workDir;
    }

    /** Reads the key, certificate and host CA; any problem is a {@link SshSetupException} naming the file. */
    public static SshClientFactory create(SshSettings settings) {
        CertificateKeyPairProvider identity = CertificateKeyPairProvider.load(settings.privateKey(),
                settings.certificate());
        Path workDir;
        try {
            workDir = Files.createTempDirectory("ncj-ssh-");
        } catch (IOException e) {
            throw new SshSetupException("cannot create a folder for the generated known_hosts file ("
                    + e.getClass().getSimpleName() + ")");
        }
        try {
            HostCertificateVerifier verifier = HostCertificateVerifier.create(settings.hostCaPublicKey(),
                    workDir.resolve("known_hosts"));
            return new SshClientFactory(settings, identity, verifier, workDir);
        } catch (RuntimeException e) {
            deleteQuietly(workDir);
            throw e;
        }
    }

    /** A builder for camel-ssh's {@code clientBuilder} option; each build() makes a new, unstarted client. */
    public ClientBuilder clientBuilder() {
        return ClientBuilder.builder()
                .serverKeyVerifier(verifier)
                // MINA's default reads ~/.ssh/config, which could add identities, users or hosts behind our back
                .hostConfigEntryResolver(HostConfigEntryResolver.EMPTY)
                .keyExchangeFactories(keyExchangesWithoutGroupExchange())
                .factory(this::configuredClient);
    }

    /**
     * MINA's defaults minus diffie-hellman-group-exchange-*: sshd-core 2.16's DHGEXClient neither checks a host
     * certificate nor verifies the exchange signature with the certificate's key (it hands the certificate itself to
     * the signature engine, which fails, e.g. with an IllegalAccessError from net.i2p eddsa on Java 17). Every OpenSSH
     * since 6.5 offers curve25519, which DHGClient handles properly.
     */
    static List<KeyExchangeFactory> keyExchangesWithoutGroupExchange() {
        return ClientBuilder.setUpDefaultKeyExchanges(true).stream()
                .filter(kex -> !kex.getName().startsWith("diffie-hellman-group-exchange-"))
                .toList();
    }

    /** A new, unstarted client; the caller starts and stops it. */
    public SshClient newClient() {
        return clientBuilder().build(true);
    }

    /** For camel-ssh's {@code keyPairProvider} option: the certificate and its private key. */
    public KeyPairProvider keyPairProvider() {
        return identity;
    }

    public CertificateKeyPairProvider identity() {
        return identity;
    }

    public HostCertificateVerifier verifier() {
        return verifier;
    }

    public SshSettings settings() {
        return settings;
    }

    private SshClient configuredClient() {
        SshClient client = SshClient.DEFAULT_SSH_CLIENT_FACTORY.create();
        client.setKeyIdentityProvider(identity);
        // certificate only: password and keyboard-interactive could only fail slowly or prompt
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        CoreModuleProperties.ABORT_ON_INVALID_CERTIFICATE.set(client, true);
        CoreModuleProperties.AUTH_TIMEOUT.set(client, settings.authTimeout());
        // MINA closes a session after 10 idle minutes by default, which would kill a quiet registry GC; commands
        // have their own timeout, and heartbeats detect dead nodes instead
        CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, HEARTBEAT_INTERVAL);
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, HEARTBEAT_MISSES);
        return client;
    }

    /** Removes the generated known_hosts file; clients built earlier then refuse every host. */
    @Override
    public void close() {
        deleteQuietly(workDir);
    }

    private static void deleteQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve("known_hosts"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover temp file holds only a public CA key
        }
    }
}
