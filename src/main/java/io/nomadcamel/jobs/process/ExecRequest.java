package io.nomadcamel.jobs.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.camel.component.exec.ExecBinding;

/**
 * What a bean puts in the headers for the {@code exec:} step after it: the arguments as a list, and optionally the
 * stdout file, the working directory and the timeout. Used as
 * {@code ExecRequest.args(list).stdoutTo(file).into(headers)} with the bean's {@code @Headers} map.
 */
public final class ExecRequest {

    private final List<String> args;
    private Path stdoutFile;
    private Path workingDir;
    private Duration timeout;

    private ExecRequest(List<String> args) {
        this.args = List.copyOf(args);
    }

    public static ExecRequest args(List<String> args) {
        return new ExecRequest(args);
    }

    public static ExecRequest args(String... args) {
        return new ExecRequest(List.of(args));
    }

    public ExecRequest stdoutTo(Path file) {
        this.stdoutFile = file;
        return this;
    }

    public ExecRequest workingDir(Path dir) {
        this.workingDir = dir;
        return this;
    }

    public ExecRequest timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    public void into(Map<String, Object> headers) {
        headers.put(ExecBinding.EXEC_COMMAND_ARGS, args);
        put(headers, ExecBinding.EXEC_COMMAND_OUT_FILE, stdoutFile == null ? null : stdoutFile.toString());
        put(headers, ExecBinding.EXEC_COMMAND_WORKING_DIR, workingDir == null ? null : workingDir.toString());
        put(headers, ExecBinding.EXEC_COMMAND_TIMEOUT, timeout == null ? null : timeout.toMillis());
    }

    private static void put(Map<String, Object> headers, String name, Object value) {
        if (value == null) {
            headers.remove(name);
        } else {
            headers.put(name, value);
        }
    }
}
