package io.nomadcamel.jobs.process;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecCommandExecutor;
import org.apache.camel.component.exec.ExecEndpoint;
import org.apache.camel.component.exec.ExecResult;

/**
 * Runs an {@code exec:} step's command with {@link ProcessRunner}: the program and its arguments as a list (no
 * shell), only the profile's variables added to a clean environment, the child tracked by the run (a stop or the
 * run's timeout kills it and its descendants), stdout streamed to the out file (through {@code <file>.partial},
 * moved into place only after an allowed exit) or captured, stderr captured up to 1 MiB. An exit value the step does
 * not allow is a {@link ProcessFailedException} naming the program, its exit value and the tail of its stderr.
 */
final class GuardedExecExecutor implements ExecCommandExecutor {

    @Override
    public ExecResult execute(ExecCommand command) {
        if (!(command instanceof GuardedExecBinding.RunCommand c)) {
            throw new IllegalStateException("exec: only commands read by the guarded binding are run");
        }
        List<String> argv = new ArrayList<>();
        argv.add(c.getExecutable());
        argv.addAll(c.getArgs());
        ProcessRunner runner = ProcessRunner.command(argv).in(c.run()).successExitValues(c.getExitValues())
                .peer(c.peer());
        c.env().forEach(runner::env);
        if (c.inheritedPrefix() != null) {
            runner.inheritEnv(c.inheritedPrefix());
        }
        if (c.getWorkingDir() != null) {
            runner.directory(Path.of(c.getWorkingDir()));
        }
        if (c.getTimeout() > 0 && c.getTimeout() != ExecEndpoint.NO_TIMEOUT) {
            runner.timeout(Duration.ofMillis(c.getTimeout()));
        }
        if (c.getOutFile() != null) {
            runner.stdoutTo(c.getOutFile().toPath());
        }
        ProcessRunner.Result result = runner.run();
        if (!c.getExitValues().contains(result.exitCode())) {
            throw new ProcessFailedException(argv, result.exitCode(), result.stderr());
        }
        return new ExecResult(c, c.getOutFile() != null ? null : bytes(result.stdout()), bytes(result.stderr()),
                result.exitCode());
    }

    private static ByteArrayInputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
