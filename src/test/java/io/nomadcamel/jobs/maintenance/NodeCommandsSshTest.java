package io.nomadcamel.jobs.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.nomadcamel.jobs.ssh.CommandResult;
import io.nomadcamel.jobs.ssh.RemoteSession;
import io.nomadcamel.jobs.ssh.RemoteShell;
import io.nomadcamel.jobs.ssh.SshSettings;
import io.nomadcamel.jobs.testsupport.SshdServer;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node-side commands of offline maintenance through real sshd: a marked command can be found and killed from
 * another session after its own connection is gone (as recovery does after a crash), SIGTERM-deaf processes are
 * SIGKILLed, another intent's command is left alone, and {@code du -sb} is read right.
 */
class NodeCommandsSshTest {

    @RegisterExtension
    static final SshdServer sshd = new SshdServer();
    private static RemoteShell shell;
    private static Path dir;

    @BeforeAll
    static void client() {
        shell = RemoteShell.start(new SshSettings(sshd.userPrivateKey(), sshd.userCertificate(),
                sshd.hostCaPublicKey(), sshd.user(), sshd.port(), Duration.ofSeconds(10), Duration.ofSeconds(20),
                Duration.ofSeconds(60)));
        dir = TempDirs.create("node-commands");
    }

    @AfterAll
    static void close() {
        shell.close();
        TempDirs.delete(dir);
    }

    @Test
    void aMarkedCommandIsKilledFromAnotherSessionEvenWhenItIgnoresSigterm() throws Exception {
        String marker = NodeCommands.marker(4, 7);
        String other = NodeCommands.marker(42, 7);
        Path started = dir.resolve("started-4");
        Path otherStarted = dir.resolve("started-42");
        RemoteSession first = shell.connect(sshd.host());
        RemoteSession second = shell.connect(sshd.host());
        CompletableFuture<CommandResult> deaf = CompletableFuture.supplyAsync(() -> first.execute(
                NodeCommands.marked(marker, "trap '' TERM; echo $$ > " + started + "; while :; do sleep 1; done"),
                null, Duration.ofSeconds(60)));
        CompletableFuture<CommandResult> bystander = CompletableFuture.supplyAsync(() -> second.execute(
                NodeCommands.marked(other, "echo $$ > " + otherStarted + "; sleep 30"), null,
                Duration.ofSeconds(60)));
        awaitFile(started);
        awaitFile(otherStarted);
        long deafPid = Long.parseLong(Files.readString(started).trim());
        assertTrue(commandLines().stream().anyMatch(l -> l.contains(marker)), "the marker is on a command line");

        try (RemoteSession killer = shell.connect(sshd.host())) {
            long t0 = System.nanoTime();
            NodeCommands.killMarked(killer, marker, Duration.ofSeconds(1));
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(900), "SIGTERM was ignored: waited");
        }

        assertFalse(ProcessHandle.of(deafPid).map(ProcessHandle::isAlive).orElse(false), "killed despite the trap");
        assertTrue(commandLines().stream().noneMatch(l -> l.contains(marker)), "nothing with the marker is left");
        assertTrue(commandLines().stream().anyMatch(l -> l.contains(other)), "intent 42's command is untouched");
        assertFalse(deaf.get(20, TimeUnit.SECONDS).succeeded(), "the killed command ended its channel");
        first.close();
        try (RemoteSession killer = shell.connect(sshd.host())) {
            NodeCommands.killMarked(killer, other, Duration.ofSeconds(5));
        }
        bystander.get(20, TimeUnit.SECONDS);
        second.close();
    }

    @Test
    void killingWhatIsNotRunningIsANoOp() {
        try (RemoteSession session = shell.connect(sshd.host())) {
            NodeCommands.killMarked(session, NodeCommands.marker(999, 1), Duration.ofSeconds(1));
        }
    }

    @Test
    void theMarkedCommandKeepsItsExitStatus() {
        try (RemoteSession session = shell.connect(sshd.host())) {
            CommandResult result = session.execute(NodeCommands.marked(NodeCommands.marker(5, 5), "echo out; exit 3"),
                    null, Duration.ofSeconds(10));
            assertEquals(3, result.exitCode());
            assertEquals("out", result.stdout().strip());
        }
    }

    @Test
    void duMeasuresADirectoryAndNamesAMissingOne() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data dir 'quoted'"));
        Files.write(data.resolve("blob"), new byte[123_456]);
        try (RemoteSession session = shell.connect(sshd.host())) {
            long size = NodeCommands.measure(session, data.toString(), Duration.ofSeconds(10));
            assertTrue(size >= 123_456 && size < 123_456 + 64 * 1024, "du -sb: " + size);
            RuntimeException missing = assertThrows(RuntimeException.class,
                    () -> NodeCommands.measure(session, dir.resolve("nope").toString(), Duration.ofSeconds(10)));
            assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
        }
        assertEquals(4096, NodeCommands.parseDu("4096\t/var/lib/registry\n", "/var/lib/registry"));
        assertThrows(MaintenanceException.class, () -> NodeCommands.parseDu("", "/x"));
    }

    private static List<String> commandLines() {
        return ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse("")).toList();
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(file) || !Files.isRegularFile(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " never appeared");
            }
            Thread.sleep(50);
        }
        Thread.sleep(100); // written by echo: let it finish
    }
}
