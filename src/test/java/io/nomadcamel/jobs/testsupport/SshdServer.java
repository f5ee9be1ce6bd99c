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
        private String listenAddress = HOST;
        private boolean principalsSet;
        private int fixedPort;
        private Path mountSource;
        private Path mountTarget;
        private String forceCommand;

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
            this.principalsSet = true;
            return this;
        }

        /**
         * Listens on this loopback address (any of 127.0.0.0/8 works on Linux without configuration) instead of
         * 127.0.0.1; unless {@link #hostPrincipals} says otherwise, the host certificate then names only it.
         */
        public Builder listenAddress(String address) {
            this.listenAddress = address;
            return this;
        }

        /** Listens on this port instead of a free one: several nodes on distinct addresses share one SSH port. */
        public Builder port(int port) {
            this.fixedPort = port;
            return this;
        }

        /**
         * Runs sshd in a mount namespace of its own ({@code unshare --mount}, as root) in which {@code target} shows
         * the content of {@code source}: several nodes on one machine each see their own folder at one path, as
         * Nomad clients each have their own /opt/nomad/data. {@code target} must exist.
         */
        public Builder privateMount(Path source, Path target) {
            this.mountSource = source;
            this.mountTarget = target;
            return this;
        }

        /**
         * sshd's ForceCommand: runs instead of each command, which it finds in {@code $SSH_ORIGINAL_COMMAND}; e.g.
         * {@code sleep 1; exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"} for a slow node.
         */
        public Builder forceCommand(String command) {
            this.forceCommand = command;
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
            String principals = options.principalsSet || options.listenAddress.equals(HOST) ? options.principals
                    : options.listenAddress;
            hostCertificate = SshCertificateAuthorities.signHostKey(signer, hostKey, principals, options.validity);
        }
        if (Programs.isRoot()) {
            ensurePrivilegeSeparationDir();
        }
        port = options.fixedPort > 0 ? options.fixedPort : Ports.free();
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, config(hostKey, hostCertificate));
        List<String> command = new java.util.ArrayList<>(List.of(sshd.toString(), "-D", "-e", "-f",
                config.toString()));
        if (options.mountSource != null) {
            // unshare execs the shell, which execs sshd: one process, in a namespace that ends with it
            command.addAll(0, List.of(Programs.require("unshare", "util-linux").toString(), "--mount",
                    "--propagation", "private", "--", "/bin/sh", "-c", "mount --bind -- \"$1\" \"$2\" && shift 2 "
                            + "&& exec \"$@\"", "sh", options.mountSource.toString(),
                    options.mountTarget.toString()));
        }
        process = ChildProcess.start("sshd", command, Map.of(), dir, dir.resolve("sshd.log"));
        awaitListening(Duration.ofSeconds(20));
    }

    private void awaitListening(Duration timeout) {
        if (options.listenAddress.equals(HOST)) {
            process.awaitPort(port, timeout);
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.alive()) {
                throw new IllegalStateException("sshd exited with " + process.process().exitValue()
                        + " before listening on " + options.listenAddress + ":" + port + ":\n" + process.output());
            }
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(options.listenAddress, port), 200);
                return;
            } catch (IOException notYet) {
                Ports.sleep(50);
            }
        }
        throw new IllegalStateException("sshd did not listen on " + options.listenAddress + ":" + port + " within "
                + timeout + ":\n" + process.output());
    }

    private String config(Path hostKey, Path hostCertificate) {
        StringBuilder c = new StringBuilder()
                .append("Port ").append(port).append('\n')
                .append("ListenAddress ").append(options.listenAddress).append('\n')
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
                // sessions get an empty home: Debian's bash sources ~/.bashrc for sshd commands, and a developer's
                // (here: pyenv's rehash, which waits a minute on a stale lock) must not change what a test measures
                .append("SetEnv HOME=").append(sessionHome()).append('\n')
                .append("LogLevel VERBOSE\n");
        if (options.kexAlgorithms != null) {
            c.append("KexAlgorithms ").append(options.kexAlgorithms).append('\n');
        }
        if (options.forceCommand != null) {
            c.append("ForceCommand ").append(options.forceCommand).append('\n');
        }
        return c.toString();
    }

    private Path sessionHome() {
        Path home = dir.resolve("home");
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return home;
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

    /** The address it listens on: 127.0.0.1 unless built with {@link Builder#listenAddress}. */
    public String host() {
        return options.listenAddress;
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

    /**
     * {@code @cert-authority [127.0.0.1]:<port>,[localhost]:<port> <host CA public key>}, or with the server's own
     * address when it listens elsewhere.
     */
    public String knownHostsLine() {
        String line = authorities.knownHostsLine(port);
        if (options.listenAddress.equals(HOST)) {
            return line;
        }
        return "@cert-authority [" + options.listenAddress + "]:" + port + line.substring(line.indexOf(' ',
                "@cert-authority ".length()));
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
