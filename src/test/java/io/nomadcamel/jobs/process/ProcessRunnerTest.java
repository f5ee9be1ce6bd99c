package io.nomadcamel.jobs.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.nomadcamel.jobs.scheduler.JobDefinition;
import io.nomadcamel.jobs.scheduler.Mode;
import io.nomadcamel.jobs.scheduler.RunContext;
import io.nomadcamel.jobs.scheduler.RunContextAccess;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProcessRunnerTest {

    private final Path dir = TempDirs.create("process");

    @AfterEach
    void clean() {
        TempDirs.delete(dir);
    }

    @Test
    void streamsStdoutToTheFileAndPassesSecretsOnlyInTheEnvironment() {
        Path out = dir.resolve("out.txt");
        ProcessRunner.Result r = ProcessRunner.command("sh", "-c", "printf '%s' \"$SECRET\"; echo warn >&2")
                .env("SECRET", "hush").stdoutTo(out).run().check();
        assertEquals(0, r.exitCode());
        assertEquals("warn\n", r.stderr());
        assertEquals("hush", read(out));
        assertFalse(Files.exists(dir.resolve("out.txt.partial")));
    }

    @Test
    void aChildInheritsNoneOfTheApplicationsVariables() {
        // surefire sets LOG_LEVEL for this JVM; a token would be inherited the same way
        assertTrue(System.getenv().containsKey("LOG_LEVEL"), "the test JVM has a variable to leak");
        ProcessRunner.Result r = ProcessRunner.command("sh", "-c", "echo \"[$LOG_LEVEL][$PASSED]\"; command -v sh")
                .env("PASSED", "yes").run().check();
        assertTrue(r.stdout().startsWith("[][yes]"), r.stdout());
        assertTrue(r.stdout().contains("/sh"), "PATH is kept: " + r.stdout());
    }

    @Test
    void aFailedCommandLeavesNoPartialFileAndCarriesStderr() {
        Path out = dir.resolve("dump.sql");
        ProcessRunner.Result r = ProcessRunner.command("sh", "-c", "echo half; echo 'disk full' >&2; exit 3")
                .stdoutTo(out).run();
        assertEquals(3, r.exitCode());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("dump.sql.partial")));
        ProcessFailedException e = assertThrows(ProcessFailedException.class, r::check);
        assertTrue(e.getMessage().contains("exited with 3") && e.getMessage().contains("disk full"), e.getMessage());
    }

    @Test
    void argumentsAreNeverInterpretedByAShell() {
        String name = "$(touch " + dir.resolve("pwned") + "); `id` ; 'x\"";
        ProcessRunner.Result r = ProcessRunner.command("printf", "%s", name).run().check();
        assertEquals(name, r.stdout());
        assertFalse(Files.exists(dir.resolve("pwned")));
    }

    @Test
    void timeoutKillsTheProcess() {
        ProcessFailedException e = assertThrows(ProcessFailedException.class,
                () -> ProcessRunner.command("sleep", "30").timeout(Duration.ofMillis(300)).run());
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    }

    @Test
    void stoppingTheRunKillsTheChildAndRemovesThePartialFile() throws Exception {
        RunContext run = new RunContext(1, new JobDefinition("j", "t", Mode.ONE_SHOT, null, null,
                Duration.ofMinutes(1), null, Map.of(), true, null, Duration.ZERO, 1, false,
                JobDefinition.Source.API), text -> { });
        Path out = dir.resolve("big.dump");
        Path pid = dir.resolve("pid");
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                ProcessRunner.command("sh", "-c", "echo $$ > " + pid + "; echo partial; exec sleep 30")
                        .stdoutTo(out).in(run).run();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        long deadline = System.currentTimeMillis() + 5000;
        while ((!Files.exists(pid) || Files.size(pid) == 0) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        long childPid = Long.parseLong(read(pid).trim());
        RunContextAccess.stop(run, "stopped via API");
        Throwable t = outcome.get();
        assertTrue(t instanceof RunContext.RunStoppedException, String.valueOf(t));
        assertFalse(ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false), "child killed");
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("big.dump.partial")));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
