package io.nomadcamel.jobs.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway OpenSSH certificate authorities made with {@code ssh-keygen}, as an operator's would be: a host CA that
 * signs sshd host keys and a user CA that signed the client's key, giving it a user certificate for the current OS
 * user. One instance can be shared by several {@link SshdServer}s (several "nodes" that trust one client and are
 * trusted by it); closing it removes its folder.
 */
public final class SshCertificateAuthorities implements AutoCloseable {

    /** Valid from a little in the past (clock skew between test steps) to well past any test run. */
    public static final String CURRENT_VALIDITY = "-5m:+1d";
    /** Long over: a certificate signed with this is expired. */
    public static final String EXPIRED_VALIDITY = "20200101:20200102";

    private final Path dir;
    private final String user;
    private final Path hostCa;
    private final Path userCa;
    private final Path userKey;

    private SshCertificateAuthorities(Path dir, String user) {
        this.dir = dir;
        this.user = user;
        this.hostCa = newKey(dir, "host_ca");
        this.userCa = newKey(dir, "user_ca");
        this.userKey = newKey(dir, "user_key");
        keygen(dir, "-s", userCa.toString(), "-I", "test-user-" + user, "-n", user, "-V", CURRENT_VALIDITY,
                userKey + ".pub");
    }

    /** CAs and a user certificate for the current OS user ({@code user.name}; root in CI). */
    public static SshCertificateAuthorities create() {
        Path dir = TempDirs.create("ssh-ca");
        try {
            return new SshCertificateAuthorities(dir, System.getProperty("user.name"));
        } catch (RuntimeException e) {
            TempDirs.delete(dir);
            throw e;
        }
    }

    public String user() {
        return user;
    }

    public Path hostCaPrivateKey() {
        return hostCa;
    }

    public Path hostCaPublicKey() {
        return pub(hostCa);
    }

    public Path userCaPublicKey() {
        return pub(userCa);
    }

    public Path userPrivateKey() {
        return userKey;
    }

    public Path userCertificate() {
        return cert(userKey);
    }

    /** The line an OpenSSH client would need to trust hosts on this port by the host CA. */
    public String knownHostsLine(int port) {
        return "@cert-authority [127.0.0.1]:" + port + ",[localhost]:" + port + " " + read(hostCaPublicKey()).trim();
    }

    /** Makes a new ed25519 key pair {@code <dir>/<name>} (+ .pub) without passphrase. */
    public static Path newKey(Path dir, String name) {
        Path key = dir.resolve(name);
        keygen(dir, "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString());
        return key;
    }

    /**
     * Signs {@code <key>.pub} as a host key with the CA, writing {@code <key>-cert.pub}; empty principals leave out
     * {@code -n} (a certificate naming no host).
     */
    public static Path signHostKey(Path caPrivateKey, Path key, String principals, String validity) {
        List<String> args = new ArrayList<>(List.of("-s", caPrivateKey.toString(), "-h", "-I",
                "host-" + key.getFileName(), "-V", validity));
        if (!principals.isEmpty()) {
            args.addAll(List.of("-n", principals));
        }
        args.add(pub(key).toString());
        keygen(key.getParent(), args.toArray(String[]::new));
        return cert(key);
    }

    /** Signs {@code <key>.pub} as a user key for one login, writing {@code <key>-cert.pub}. */
    public static Path signUserKey(Path caPrivateKey, Path key, String user, String validity) {
        keygen(key.getParent(), "-s", caPrivateKey.toString(), "-I", "user-" + key.getFileName(), "-n", user,
                "-V", validity, pub(key).toString());
        return cert(key);
    }

    public static Path pub(Path key) {
        return key.resolveSibling(key.getFileName() + ".pub");
    }

    public static Path cert(Path key) {
        return key.resolveSibling(key.getFileName() + "-cert.pub");
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs ssh-keygen to completion (a short-lived ChildProcess), failing with its output. */
    static void keygen(Path workDir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Programs.require("ssh-keygen", "openssh-client").toString());
        command.addAll(List.of(args));
        Path log = workDir.resolve("ssh-keygen.log");
        try (ChildProcess keygen = ChildProcess.start("ssh-keygen", command, Map.of(), workDir, log)) {
            keygen.process().getOutputStream().close(); // a prompt (e.g. "Overwrite?") gets EOF instead of hanging
            if (!keygen.process().waitFor(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("ssh-keygen did not finish: " + command);
            }
            if (keygen.process().exitValue() != 0) {
                throw new IllegalStateException("ssh-keygen failed (" + keygen.process().exitValue() + "): " + command
                        + "\n" + keygen.output());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        TempDirs.delete(dir);
    }
}
