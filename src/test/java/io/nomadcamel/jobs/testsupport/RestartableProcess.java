package io.nomadcamel.jobs.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A server process bound to one fixed port that a test can stop and start again, as a server goes down and comes
 * back: the port and everything on disk stay, only the process changes. Each start writes its own numbered log
 * ({@code <name>-1.log}, {@code <name>-2.log}, ...) so the output of an earlier life is still there to read.
 */
final class RestartableProcess {

    private final String name;
    private final List<String> command;
    private final Path workDir;
    private final int port;
    private final Duration startTimeout;
    private ChildProcess current;
    private int starts;

    RestartableProcess(String name, List<String> command, Path workDir, int port, Duration startTimeout) {
        this.name = name;
        this.command = List.copyOf(command);
        this.workDir = workDir;
        this.port = port;
        this.startTimeout = startTimeout;
    }

    /** Starts the process and returns once it listens on the port; does nothing if it already runs. */
    synchronized void start() {
        if (running()) {
            return;
        }
        // A previous life must have let go of the port, or the new process would fail to bind.
        if (Ports.listening(port)) {
            throw new IllegalStateException("cannot start " + name + ": something else listens on 127.0.0.1:" + port);
        }
        starts++;
        Path log = workDir.resolve(name + "-" + starts + ".log");
        current = ChildProcess.start(name, command, Map.of(), workDir, log);
        try {
            current.awaitPort(port, startTimeout);
        } catch (RuntimeException e) {
            current.close();
            throw e;
        }
    }

    /** Stops the process (SIGTERM, then SIGKILL) and waits until it is gone; does nothing if it is not running. */
    synchronized void stop() {
        if (current != null) {
            current.close();
        }
    }

    synchronized boolean running() {
        return current != null && current.alive();
    }

    /** The id of the latest process, alive or not, so a test can check that it is really gone. */
    synchronized long pid() {
        if (current == null) {
            throw new IllegalStateException(name + " was never started");
        }
        return current.pid();
    }

    synchronized String output() {
        return current == null ? "" : current.output();
    }

    synchronized Path log() {
        return current == null ? null : current.log();
    }
}
