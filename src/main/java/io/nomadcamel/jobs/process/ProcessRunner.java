package io.nomadcamel.jobs.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.nomadcamel.jobs.scheduler.RunContext;
import io.nomadcamel.jobs.trace.Tracing;

/**
 * Runs an external program for a job: arguments as a list (never through a shell), a clean environment (PATH, HOME,
 * locale, TZ, TMPDIR, plus what the caller passes: secrets go there, never in the arguments), stdout streamed to a file or captured, stderr kept for the error. The child is registered with the
 * run, so stopping the run or its timeout kills it and its descendants. A file output is written beside its target
 * and moved into place only on success: a failed or stopped command leaves no partial file.
 */
public final class ProcessRunner {

    private static final int MAX_CAPTURE = 1 << 20;
    /** The only variables a child inherits from the application; everything else it needs is passed by name. */
    private static final java.util.Set<String> INHERITED =
            java.util.Set.of("PATH", "HOME", "USER", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR");

    private final List<String> command;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path directory;
    private Path stdoutFile;
    private InputStream stdin;
    private Duration timeout = Duration.ofHours(6);
    private java.util.Set<Integer> successExitValues = java.util.Set.of(0);
    private RunContext run;
    private String peerService;

    private ProcessRunner(List<String> command) {
        this.command = List.copyOf(command);
    }

    public static ProcessRunner command(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        return new ProcessRunner(command);
    }

    public static ProcessRunner command(String... command) {
        return command(List.of(command));
    }

    /** Adds to the child's environment: the place for tokens and passwords, never the arguments. */
    public ProcessRunner env(String name, String value) {
        if (value != null) {
            env.put(name, value);
        }
        return this;
    }

    /** Passes the application's variables that start with the prefix (a tool's own settings, e.g. TRIVY_). */
    public ProcessRunner inheritEnv(String prefix) {
        System.getenv().forEach((name, value) -> {
            if (name.startsWith(prefix) && !env.containsKey(name)) {
                env.put(name, value);
            }
        });
        return this;
    }

    public ProcessRunner directory(Path dir) {
        this.directory = dir;
        return this;
    }

    /** Streams stdout to this file (through {@code <file>.partial}, moved into place on success). */
    public ProcessRunner stdoutTo(Path file) {
        this.stdoutFile = file;
        return this;
    }

    public ProcessRunner stdin(InputStream in) {
        this.stdin = in;
        return this;
    }

    public ProcessRunner timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** The exit values after which the stdout file is moved into place (default: 0 only). */
    public ProcessRunner successExitValues(java.util.Set<Integer> exitValues) {
        this.successExitValues = java.util.Set.copyOf(exitValues);
        return this;
    }

    /** The run that owns the child: stopping the run kills it. */
    public ProcessRunner in(RunContext run) {
        this.run = run;
        return this;
    }

    /** The system the program talks to (postgres, consul, trivy-server…): the trace gets a CLIENT span for it. */
    public ProcessRunner peer(String service) {
        this.peerService = service;
        return this;
    }

    /** What the program printed and how it exited. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {

        /** Throws {@link ProcessFailedException} unless the exit code is 0. */
        public Result check() {
            if (exitCode != 0) {
                throw new ProcessFailedException(command, exitCode, stderr);
            }
            return this;
        }
    }

    /** Runs to the end (or the timeout, or the run's stop); a non-zero exit is a result, not an exception. */
    public Result run() {
        if (peerService == null) {
            return execute();
        }
        return Tracing.client(peerService, "exec " + Path.of(command.get(0)).getFileName(),
                java.util.Map.of("process.executable.name", String.valueOf(Path.of(command.get(0)).getFileName())),
                this::execute);
    }

    private Result execute() {
        Path partial = stdoutFile == null ? null : stdoutFile.resolveSibling(stdoutFile.getFileName() + ".partial");
        ProcessBuilder builder = new ProcessBuilder(command);
        // a child sees only what it is given: the application's tokens and passwords are not inherited
        Map<String, String> childEnv = builder.environment();
        childEnv.keySet().retainAll(INHERITED);
        childEnv.putAll(env);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        if (partial != null) {
            builder.redirectOutput(partial.toFile());
        }
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ProcessFailedException(command, -1, "could not start " + command.get(0) + ": " + e.getMessage());
        }
        if (run != null) {
            run.track(process);
        }
        boolean success = false;
        try {
            Thread feeder = stdin == null ? null : pump(stdin, process.getOutputStream(), "stdin");
            Capture err = new Capture(process.getErrorStream());
            Capture out = partial == null ? new Capture(process.getInputStream()) : null;
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new ProcessFailedException(command, -1, "timed out after " + timeout + "; " + err.text());
            }
            if (feeder != null) {
                feeder.join(1000);
            }
            int exit = process.waitFor();
            if (run != null && run.stopped()) {
                throw new RunContext.RunStoppedException(run.stopReason());
            }
            Result result = new Result(command, exit, out == null ? "" : out.text(), err.text());
            boolean ok = successExitValues.contains(exit);
            if (ok && partial != null) {
                Files.move(partial, stdoutFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            success = ok;
            return result;
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new RunContext.RunStoppedException(run != null && run.stopped() ? run.stopReason() : "interrupted");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (process.isAlive()) {
                kill(process);
            }
            if (run != null) {
                run.untrack(process);
            }
            if (!success && partial != null) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // the failure being reported matters more than the leftover
                }
            }
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread pump(InputStream from, OutputStream to, String name) {
        Thread t = new Thread(() -> {
            try (from; to) {
                from.transferTo(to);
            } catch (IOException ignored) {
                // the child closed its input: its exit code tells what happened
            }
        }, "process-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Reads a stream on its own thread, keeping at most the last MiB. */
    private static final class Capture {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread reader;
        private boolean truncated;

        Capture(InputStream in) {
            reader = new Thread(() -> {
                byte[] chunk = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(chunk)) >= 0) {
                        synchronized (buffer) {
                            if (buffer.size() + n > MAX_CAPTURE) {
                                byte[] keep = buffer.toByteArray();
                                buffer.reset();
                                buffer.write(keep, keep.length / 2, keep.length - keep.length / 2);
                                truncated = true;
                            }
                            buffer.write(chunk, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "process-capture");
            reader.setDaemon(true);
            reader.start();
        }

        String text() throws InterruptedException {
            reader.join(5000);
            synchronized (buffer) {
                String s = buffer.toString(StandardCharsets.UTF_8);
                return truncated ? "[…]" + s : s;
            }
        }
    }
}
