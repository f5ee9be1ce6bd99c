package io.nomadcamel.jobs.ssh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.nomadcamel.jobs.testsupport.Ports;
import io.nomadcamel.jobs.testsupport.SshCertificateAuthorities;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.Test;

/** Commands against a real sshd, logged in by user certificate, the host verified by its host CA. */
class RemoteShellSshTest extends SshShellTestBase {

    @Test
    void aCommandRunsAsTheCertificateUserAndReturnsItsOutput() {
        CommandResult r = shell.run(SSHD.host(), "id -un; echo to-stderr >&2");
        assertEquals(SSHD.user() + "\n", r.stdout());
        assertEquals("to-stderr\n", r.stderr());
        assertEquals(0, r.exitCode());
        assertTrue(r.succeeded());
        assertTrue(SSHD.log().contains("Accepted publickey for " + SSHD.user()) && SSHD.log().contains("CERT"),
                "sshd saw a certificate login:\n" + SSHD.log());
    }

    @Test
    void aNonZeroExitIsAnErrorCarryingStderr() {
        CommandFailedException e = assertThrows(CommandFailedException.class,
                () -> shell.run(SSHD.host(), "echo partial; echo 'disk is on fire' >&2; exit 3"));
        assertEquals(3, e.exitCode());
        assertEquals("disk is on fire\n", e.stderr());
        assertEquals("partial\n", e.result().stdout());
        assertEquals(SSHD.host() + ":" + SSHD.port() + ": 'echo partial; echo 'disk is on fire' >&2; exit 3' "
                + "exited with 3: disk is on fire", e.getMessage());
    }

    @Test
    void executeReturnsAnyExitWithoutThrowing() {
        try (RemoteSession session = shell.connect(SSHD.host())) {
            CommandResult r = session.execute("exit 7", null, Duration.ofSeconds(10));
            assertEquals(7, r.exitCode());
            assertFalse(r.succeeded());
            CommandResult killed = session.execute("kill -KILL $$", null, Duration.ofSeconds(10));
            assertEquals("KILL", killed.exitSignal());
            assertFalse(killed.succeeded());
        }
    }

    @Test
    void aCommandOverItsTimeoutIsStoppedAndItsChannelClosedButTheSessionLivesOn() throws Exception {
        Path pidFile = work.resolve("timeout.pid");
        try (RemoteSession session = shell.connect(SSHD.host())) {
            long start = System.nanoTime();
            CommandTimeoutException e = assertThrows(CommandTimeoutException.class, () -> session.run(
                    "echo $$ > " + ShellQuoting.quote(pidFile.toString()) + "; exec sleep 120", null,
                    Duration.ofSeconds(1)));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMillis < 8_000, "stopped promptly, took " + tookMillis + " ms");
            assertEquals(Duration.ofSeconds(1), e.timeout());
            assertTrue(e.getMessage().contains("did not finish within 1s"), e.getMessage());
            assertEquals(0, session.openChannelCount(), "the command's channel is closed");
            assertProcessEnds(pidFile);
            assertEquals("still usable\n", session.run("echo still usable").stdout());
        }
    }

    @Test
    void interruptingTheCallerStopsTheCommand() throws Exception {
        Path pidFile = work.resolve("interrupt.pid");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try (RemoteSession session = shell.connect(SSHD.host())) {
                session.run("echo $$ > " + ShellQuoting.quote(pidFile.toString()) + "; exec sleep 120", null,
                        Duration.ofMinutes(5));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        runner.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(pidFile) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(200);
        runner.interrupt();
        runner.join(10_000);
        assertFalse(runner.isAlive(), "the interrupted run returned");
        assertTrue(failure.get() instanceof CommandTimeoutException, String.valueOf(failure.get()));
        assertTrue(failure.get().getMessage().contains("interrupted"), failure.get().getMessage());
        assertProcessEnds(pidFile);
    }

    @Test
    void standardInputReachesTheCommandByteForByteThenEndOfFile() {
        byte[] data = "names\0with\nnewlines\0ünïcødé ✓\0".getBytes(StandardCharsets.UTF_8);
        try (RemoteSession session = shell.connect(SSHD.host())) {
            CommandResult r = session.run("od -An -tx1 -v | tr -d ' \\n'", data, Duration.ofSeconds(10));
            StringBuilder hex = new StringBuilder();
            for (byte b : data) {
                hex.append(String.format("%02x", b));
            }
            assertEquals(hex.toString(), r.stdout());
            assertArrayEquals(new byte[0], session.run("cat").stdout().getBytes(StandardCharsets.UTF_8),
                    "no stdin is an immediate end of file, not a hang");
        }
    }

    @Test
    void aClosedPortIsUnreachable() {
        int closed = Ports.free();
        SshConnectException e = assertThrows(SshConnectException.class, () -> shell.connect("127.0.0.1", closed));
        assertEquals(SshConnectException.Reason.UNREACHABLE, e.reason());
        assertTrue(e.getMessage().startsWith("127.0.0.1:" + closed + ": cannot connect"), e.getMessage());
    }

    @Test
    void aUserCertificateFromAnotherCaIsRefusedByTheNode() {
        try (SshCertificateAuthorities strangers = SshCertificateAuthorities.create();
                RemoteShell stranger = RemoteShell.start(new SshSettings(strangers.userPrivateKey(),
                        strangers.userCertificate(), SSHD.hostCaPublicKey(), SSHD.user(), SSHD.port(),
                        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10)))) {
            SshConnectException e = assertThrows(SshConnectException.class,
                    () -> stranger.run(SSHD.host(), "touch /must-not-run"));
            assertEquals(SshConnectException.Reason.LOGIN_REFUSED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("login as " + SSHD.user() + " with the certificate "
                    + strangers.userCertificate() + " refused"), e.getMessage());
        }
    }

    @Test
    void anExpiredUserCertificateFailsBeforeConnectingNamingTheFile() {
        Path dir = TempDirs.create("expired-user");
        try {
            Path ca = SshCertificateAuthorities.newKey(dir, "ca");
            Path key = SshCertificateAuthorities.newKey(dir, "id");
            Path cert = SshCertificateAuthorities.signUserKey(ca, key, SSHD.user(),
                    SshCertificateAuthorities.EXPIRED_VALIDITY);
            try (RemoteShell expired = RemoteShell.start(new SshSettings(key, cert, SSHD.hostCaPublicKey(),
                    SSHD.user(), SSHD.port(), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10)))) {
                SshSetupException e = assertThrows(SshSetupException.class, () -> expired.connect(SSHD.host()));
                assertTrue(e.getMessage().startsWith("SSH certificate " + cert + " (SSH_CERT_PATH) is not valid now "
                        + "(valid from 2020-01-01"), e.getMessage());
            }
        } finally {
            TempDirs.delete(dir);
        }
    }

    @Test
    void theCommandTimeoutSettingIsTheDefaultLimit() {
        try (RemoteShell quick = RemoteShell.start(SshTestSettings.of(SSHD).withCommandTimeout(Duration.ofSeconds(1)))) {
            CommandTimeoutException e = assertThrows(CommandTimeoutException.class,
                    () -> quick.run(SSHD.host(), "sleep 30"));
            assertEquals(Duration.ofSeconds(1), e.timeout());
        }
    }

    /** The remote command's process (its pid written by the command) is gone: sshd delivered our SIGTERM. */
    private static void assertProcessEnds(Path pidFile) throws Exception {
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        while (process.isPresent() && process.get().isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            process = ProcessHandle.of(pid);
        }
        assertTrue(process.isEmpty() || !process.get().isAlive(), "remote process " + pid + " still runs; sshd log:\n" + SSHD.log());
    }
}
