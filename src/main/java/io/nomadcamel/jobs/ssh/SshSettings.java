package io.nomadcamel.jobs.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import io.nomadcamel.jobs.Settings;

/**
 * How the jobs reach client nodes over SSH: a user certificate (private key + OpenSSH certificate signed by the
 * user CA the nodes trust) and the host CA whose certificates identify the nodes. Each key below is overridden by the
 * environment variable of the design ({@code ssh.key-path} → {@code SSH_KEY_PATH}).
 *
 * @param privateKey      SSH_KEY_PATH: the client's private key (unencrypted OpenSSH or PEM)
 * @param certificate     SSH_CERT_PATH: the OpenSSH user certificate for that key
 * @param hostCaPublicKey SSH_HOST_CA_PATH: public key of the CA that signs the nodes' host certificates
 * @param user            SSH_USER: the remote login (default root: cleanup deletes under Nomad's data dir)
 * @param port            SSH_PORT: default 22
 * @param connectTimeout  TCP connect and channel open
 * @param authTimeout     key exchange, host verification and user authentication
 * @param commandTimeout  default limit of one remote command; a command over it is stopped and fails
 */
public record SshSettings(Path privateKey, Path certificate, Path hostCaPublicKey, String user, int port,
        Duration connectTimeout, Duration authTimeout, Duration commandTimeout) {

    public static final String KEY_PATH = "ssh.key-path";
    public static final String CERT_PATH = "ssh.cert-path";
    public static final String HOST_CA_PATH = "ssh.host-ca-path";
    public static final String USER = "ssh.user";
    public static final String PORT = "ssh.port";
    public static final String CONNECT_TIMEOUT = "ssh.connect-timeout";
    public static final String AUTH_TIMEOUT = "ssh.auth-timeout";
    public static final String COMMAND_TIMEOUT = "ssh.command-timeout";

    public SshSettings {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(hostCaPublicKey, "hostCaPublicKey");
        Objects.requireNonNull(user, "user");
        requirePositive(connectTimeout, CONNECT_TIMEOUT);
        requirePositive(authTimeout, AUTH_TIMEOUT);
        requirePositive(commandTimeout, COMMAND_TIMEOUT);
    }

    /** Reads the settings; a missing path fails naming its environment variable. */
    public static SshSettings from(Settings settings) {
        return new SshSettings(
                Path.of(settings.required(KEY_PATH)),
                Path.of(settings.required(CERT_PATH)),
                Path.of(settings.required(HOST_CA_PATH)),
                settings.string(USER, "root"),
                settings.port(PORT, 22),
                settings.duration(CONNECT_TIMEOUT, Duration.ofSeconds(10)),
                settings.duration(AUTH_TIMEOUT, Duration.ofSeconds(20)),
                settings.duration(COMMAND_TIMEOUT, Duration.ofMinutes(30)));
    }

    public SshSettings withPort(int newPort) {
        return new SshSettings(privateKey, certificate, hostCaPublicKey, user, newPort, connectTimeout, authTimeout,
                commandTimeout);
    }

    public SshSettings withCommandTimeout(Duration timeout) {
        return new SshSettings(privateKey, certificate, hostCaPublicKey, user, port, connectTimeout, authTimeout,
                timeout);
    }

    private static void requirePositive(Duration d, String key) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("Setting " + key + " (environment variable " + Settings.envName(key)
                    + ") must be a positive duration");
        }
    }
}
