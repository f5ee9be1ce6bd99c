package io.nomadcamel.jobs.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real OpenSSH sshd in the foreground ({@code sshd -D -e -f <config>}) on 127.0.0.1 and a free port, in a temp dir,
 * with certificate-only trust both ways: its host key carries a certificate from a host CA, and it lets in the user
 * whose certificate the user CA signed (no authorized_keys, no passwords). The {@link Builder} makes the broken
 * variants the client must refuse: no host certificate, one from another CA, one for another principal, an expired
 * one. Several instances can share one {@link SshCertificateAuthorities} to be several nodes of one cluster.
 */
public final class SshdServer extends ServerFixture {

    public static final String HOST = "127.0.0.1";
    public static final String DEFAULT_PRINCIPALS = "127.0.0.1,localhost";

    private final Builder options;
    private SshCertificateAuthorities authorities;
    private Path dir;
    private int port;
    private ChildProcess process;

    private SshdServer(Builder options) {
        this.options = options;
    }

    /** An sshd with a valid host certificate for 127.0.0.1 and localhost and its own CAs. */
    public SshdServer() {
        this(new Builder());
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private SshCertificateAuthorities sharedAuthorities;
        private String principals = DEFAULT_PRINCIPALS;
        private String validity = SshCertificateAuthorities.CURRENT_VALIDITY;
        private boolean hostCertificate = true;
        private boolean signedByAnotherCa;
        private String kexAlgorithms;

        /** Trust (and be trusted through) these CAs instead of making its own; the caller closes them. */
        public Builder authorities(SshCertificateAuthorities shared) {
            this.sharedAuthorities = shared;
            return this;
        }

        /**
         * The host names or addresses the host certificate is valid for (comma separated, as ssh-keygen -n); empty
         * means none named, which OpenSSH reads as "any host".
         */
        public Builder hostPrincipals(String commaSeparated) {
            this.principals = commaSeparated;
            return this;
        }

        /** The host certificate's validity, as ssh-keygen -V. */
        public Builder hostCertificateValidity(String validity) {
            this.validity = validity;
            return this;
        }

        public Builder expiredHostCertificate() {
            return hostCertificateValidity(SshCertificateAuthorities.EXPIRED_VALIDITY);
        }

        /** Only a plain host key, as a host outside the CA's care (or an impostor) would offer. */
        public Builder withoutHostCertificate() {
            this.hostCertificate = false;
            return this;
        }

        /** A well-formed, current host certificate, but signed by a CA the client does not trust. */
        public Builder hostCertificateSignedByAnotherCa() {
            this.signedByAnotherCa = true;
            return this;
        }

        /** Restricts sshd's key exchange algorithms (KexAlgorithms), e.g. to make a client use DH group exchange. */
        public Builder kexAlgorithms(String algorithms) {
            this.kexAlgorithms = algorithms;
            return this;
        }

        public SshdServer build() {
            return new SshdServer(this);
        }
    }

    @Override
    protected void doStart() throws Exception {
        Path sshd = Programs.require("sshd", "openssh-server");
        dir = TempDirs.create("sshd");
        authorities = options.sharedAuthorities != null ? options.sharedAuthorities : SshCertificateAuthorities.create();
        Path hostKey = SshCertificateAuthorities.newKey(dir, "ssh_host_ed25519_key");
        Path hostCertificate = null;
        if (options.hostCertificate) {
            Path signer = options.signedByAnotherCa ? SshCertificateAuthorities.newKey(dir, "other_host_ca")
                    : authorities.hostCaPrivateKey();
            hostCertificate = SshCertificateAuthorities.signHostKey(signer, hostKey, options.principals,
                    options.validity);
        }
        if (Programs.isRoot()) {
            ensurePrivilegeSeparationDir();
        }
        port = Ports.free();
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, config(hostKey, hostCertificate));
        process = ChildProcess.start("sshd", List.of(sshd.toString(), "-D", "-e", "-f", config.toString()), Map.of(),
                dir, dir.resolve("sshd.log"));
        process.awaitPort(port, Duration.ofSeconds(20));
    }

    private String config(Path hostKey, Path hostCertificate) {
        StringBuilder c = new StringBuilder()
                .append("Port ").append(port).append('\n')
                .append("ListenAddress ").append(HOST).append('\n')
                .append("HostKey ").append(hostKey).append('\n');
        if (hostCertificate != null) {
            c.append("HostCertificate ").append(hostCertificate).append('\n');
        }
        c.append("TrustedUserCAKeys ").append(authorities.userCaPublicKey()).append('\n')
                .append("AuthorizedKeysFile none\n")
                .append("PubkeyAuthentication yes\n")
                .append("PasswordAuthentication no\n")
                .append("KbdInteractiveAuthentication no\n")
                .append("UsePAM no\n")
                .append("StrictModes no\n")
                .append("PermitRootLogin prohibit-password\n")
                .append("PidFile ").append(dir.resolve("sshd.pid")).append('\n')
                .append("PrintMotd no\n")
                .append("LogLevel VERBOSE\n");
        if (options.kexAlgorithms != null) {
            c.append("KexAlgorithms ").append(options.kexAlgorithms).append('\n');
        }
        return c.toString();
    }

    /** sshd running as root refuses to start without its privilege separation folder, which a container may lack. */
    private static void ensurePrivilegeSeparationDir() throws IOException {
        Path run = Path.of("/run/sshd");
        if (!Files.isDirectory(run)) {
            Files.createDirectories(run);
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Override
    protected void doStop() {
        try {
            if (process != null) {
                process.close();
            }
        } finally {
            if (authorities != null && authorities != options.sharedAuthorities) {
                authorities.close();
            }
            TempDirs.delete(dir);
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public String user() {
        return authorities.user();
    }

    public SshCertificateAuthorities authorities() {
        return authorities;
    }

    public Path hostCaPublicKey() {
        return authorities.hostCaPublicKey();
    }

    public Path userPrivateKey() {
        return authorities.userPrivateKey();
    }

    public Path userCertificate() {
        return authorities.userCertificate();
    }

    /** The sshd_config this server runs with; its path is on the command line of sshd and its per-connection children. */
    public Path configPath() {
        return dir.resolve("sshd_config");
    }

    public ChildProcess process() {
        return process;
    }

    /** {@code @cert-authority [127.0.0.1]:<port>,[localhost]:<port> <host CA public key>}. */
    public String knownHostsLine() {
        return authorities.knownHostsLine(port);
    }

    /** Writes a known_hosts file that trusts this server by its host CA, as an OpenSSH client would use it. */
    public Path writeKnownHosts(Path file) throws IOException {
        Files.writeString(file, knownHostsLine() + "\n");
        return file;
    }

    /**
     * What a stopped server left behind: a live sshd, any process whose command line names its config (sshd's
     * per-connection children carry it too), its temp dir. Empty when it stopped cleanly.
     */
    public List<String> leftovers() throws IOException, InterruptedException {
        List<String> found = new java.util.ArrayList<>();
        if (process != null && process.alive()) {
            found.add("sshd pid " + process.pid() + " is alive");
        }
        Path config = dir.resolve("sshd_config");
        Process pgrep = new ProcessBuilder(Programs.require("pgrep", "procps").toString(), "-f", config.toString())
                .redirectErrorStream(true).start();
        String pids = new String(pgrep.getInputStream().readAllBytes()).strip();
        pgrep.waitFor();
        if (!pids.isEmpty()) {
            found.add("pgrep -f " + config + " finds " + pids);
        }
        if (Files.exists(dir)) {
            found.add("temp dir " + dir + " still exists");
        }
        return found;
    }

    /** sshd's own log (-e): why it refused a key or a login. */
    public String log() {
        return process == null ? "" : process.output();
    }
}
