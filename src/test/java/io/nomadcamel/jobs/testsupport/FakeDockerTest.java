package io.nomadcamel.jobs.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake docker CLI behaves as the real one where the jobs depend on it. */
class FakeDockerTest {

    private Path dir;
    private FakeDocker docker;

    @BeforeEach
    void setUp() throws Exception {
        dir = TempDirs.create("fake-docker");
        docker = new FakeDocker(dir.resolve("docker"));
        docker.image("tools:1", "#!/bin/sh\necho \"$$\" > '" + dir.resolve("started") + "'\n"
                + "[ \"$1\" = hang ] && { trap '' TERM; while :; do sleep 1; done; }\necho \"args: $*\"\nexit 3\n");
    }

    @AfterEach
    void tearDown() {
        docker.close();
        TempDirs.delete(dir);
    }

    @Test
    void runPrintsTheOutputAndExitsWithTheContainersCodeAndRmLeavesNothing() throws Exception {
        Result run = docker("run", "--rm", "--name", "c1", "-v", "/a:/b", "tools:1", "x", "y");
        assertEquals(3, run.code);
        assertEquals("args: x y\n", run.stdout);
        Result inspect = docker("inspect", "c1");
        assertEquals(1, inspect.code, "--rm: gone once it ended");
        assertTrue(inspect.stderr.contains("Error: No such object: c1"), inspect.stderr);
        assertEquals(125, docker("run", "--name", "x", "nope:1").code, "unknown image");
    }

    @Test
    void aContainerOutlivesItsKilledClientUntilRmForceKillsIt() throws Exception {
        Process client = new ProcessBuilder(docker.cli().toString(), "run", "--rm", "--name", "c2", "tools:1", "hang")
                .redirectErrorStream(true).start();
        Path started = dir.resolve("started");
        for (int i = 0; i < 100 && !Files.exists(started); i++) {
            Thread.sleep(50);
        }
        long container = Long.parseLong(Files.readString(started).trim());
        assertNotEquals(sessionOf(client.pid()), sessionOf(container), "detached from the client's session");
        assertEquals(List.of("c2"), docker.running());
        assertEquals(125, docker("run", "--name", "c2", "tools:1").code, "the name is in use");

        client.descendants().forEach(ProcessHandle::destroyForcibly);
        client.destroyForcibly();
        client.waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(300);
        assertTrue(ProcessHandle.of(container).map(ProcessHandle::isAlive).orElse(false), "SIGKILL is not proxied");
        assertEquals(0, docker("inspect", "c2").code);

        docker.failRemove(true);
        Result refused = docker("rm", "-f", "c2");
        assertEquals(1, refused.code);
        assertTrue(refused.stderr.contains("could not kill"), refused.stderr);
        assertEquals(0, docker("inspect", "c2").code, "still there");

        docker.failRemove(false);
        assertEquals(0, docker("rm", "-f", "c2").code);
        assertFalse(ProcessHandle.of(container).map(p -> p.isAlive() && !zombie(p.pid())).orElse(false), "killed");
        assertEquals(1, docker("inspect", "c2").code);
        assertEquals(1, docker("rm", "-f", "c2").code, "No such container");
        List<String> calls = docker.calls();
        assertEquals("docker run --rm --name c2 tools:1 hang", calls.get(0));
        assertTrue(calls.contains("docker rm -f c2"), calls.toString());
    }

    private record Result(int code, String stdout, String stderr) {
    }

    private Result docker(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(docker.cli().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out, err);
    }

    private static String sessionOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3];
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (Exception gone) {
            return true;
        }
    }
}
