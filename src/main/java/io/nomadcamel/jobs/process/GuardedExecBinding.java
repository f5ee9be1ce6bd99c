package io.nomadcamel.jobs.process;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.scheduler.RunContext;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.Message;
import org.apache.camel.component.exec.ExecBinding;
import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecEndpoint;
import org.apache.camel.component.exec.ExecResult;

/**
 * Reads an {@code exec:} step's command from the exchange: the run (exchange property {@value RunContext#PROPERTY}),
 * the arguments as a literal list (header {@value ExecBinding#EXEC_COMMAND_ARGS}, never a string to split), the
 * stdout file, working directory, timeout and allowed exit values (camel-exec's headers, else the endpoint's options),
 * and the program and its environment from the endpoint's profile. What camel-exec would take loosely is refused
 * with a message naming the step: no run, an argument string, a header that swaps the program, an unknown profile.
 * The step's result is camel-exec's: an {@link ExecResult} body, the exit value and stderr in headers.
 */
public final class GuardedExecBinding implements ExecBinding {

    private final String profile;
    private final Supplier<Settings> settings;

    GuardedExecBinding(String profile, Supplier<Settings> settings) {
        this.profile = profile;
        this.settings = settings;
    }

    @Override
    public ExecCommand readInput(Exchange exchange, ExecEndpoint endpoint) {
        String program = endpoint.getExecutable();
        Message in = exchange.getIn();
        RunContext run = exchange.getProperty(RunContext.PROPERTY, RunContext.class);
        if (run == null) {
            throw new IllegalStateException("exec:" + program + " runs only inside a job run: the exchange has no run"
                    + " (exchange property '" + RunContext.PROPERTY + "')");
        }
        if (endpoint.getArgs() != null) {
            throw new IllegalArgumentException("exec:" + program + ": the args option (a string split on spaces) is"
                    + " not accepted; pass the arguments as a list in header " + EXEC_COMMAND_ARGS);
        }
        if (in.getHeader(EXEC_COMMAND_EXECUTABLE) != null) {
            throw new IllegalArgumentException("exec:" + program + ": the program is the endpoint's; header "
                    + EXEC_COMMAND_EXECUTABLE + " is not accepted");
        }
        List<String> args = literalArguments(program, in.removeHeader(EXEC_COMMAND_ARGS));
        String workingDir = header(in, EXEC_COMMAND_WORKING_DIR, endpoint.getWorkingDir(), String.class);
        long timeout = header(in, EXEC_COMMAND_TIMEOUT, endpoint.getTimeout(), Long.class);
        String exitValues = header(in, EXEC_COMMAND_EXIT_VALUES, endpoint.getExitValues(), String.class);
        String outFile = header(in, EXEC_COMMAND_OUT_FILE, endpoint.getOutFile(), String.class);
        ExecProfiles.Resolved resolved = ExecProfiles.resolve(profile, program, settings.get(), run);
        return new RunCommand(resolved, args, workingDir, timeout, exitValues(program, exitValues),
                outFile == null ? null : new File(outFile), endpoint.getCommandLogLevel(), run);
    }

    @Override
    public void writeOutput(Exchange exchange, ExecResult result) {
        Message out = exchange.getMessage();
        String stderr = "";
        if (result.getStderr() instanceof ByteArrayInputStream captured) {
            stderr = new String(captured.readAllBytes(), StandardCharsets.UTF_8);
            captured.reset();
        }
        out.setHeader(EXEC_STDERR, stderr);
        out.setHeader(EXEC_EXIT_VALUE, result.getExitValue());
        out.setBody(result);
    }

    private static List<String> literalArguments(String program, Object header) {
        if (header == null) {
            return List.of();
        }
        if (header instanceof List<?> list) {
            List<String> args = new ArrayList<>(list.size());
            for (Object arg : list) {
                if (!(arg instanceof String s)) {
                    throw new IllegalArgumentException("exec:" + program + ": header " + EXEC_COMMAND_ARGS
                            + " must be a list of strings, found " + (arg == null ? "null" : arg.getClass().getName()));
                }
                args.add(s);
            }
            return args;
        }
        throw new IllegalArgumentException("exec:" + program + ": header " + EXEC_COMMAND_ARGS + " must be a list of"
                + " strings (each one argument, passed as it is), not " + header.getClass().getSimpleName());
    }

    /** Empty means 0 only: a program that fails is never a success by default. */
    private static Set<Integer> exitValues(String program, String text) {
        Set<Integer> values = new LinkedHashSet<>();
        if (text == null || text.isBlank()) {
            values.add(0);
            return values;
        }
        for (String v : text.split(",")) {
            try {
                values.add(Integer.parseInt(v.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("exec:" + program + ": exitValues must be whole numbers separated"
                        + " by commas, got '" + text + "'");
            }
        }
        return values;
    }

    private static <T> T header(Message in, String name, T endpointValue, Class<T> type) {
        T value = in.getHeader(name, type);
        in.removeHeader(name);
        return value != null ? value : endpointValue;
    }

    /** A command of a run: camel-exec's fields plus the run, the profile's environment and the traced system. */
    static final class RunCommand extends ExecCommand {

        private static final long serialVersionUID = 1L;
        private final transient RunContext run;
        private final transient ExecProfiles.Resolved resolved;

        RunCommand(ExecProfiles.Resolved resolved, List<String> args, String workingDir, long timeout,
                Set<Integer> exitValues, File outFile, LoggingLevel logLevel, RunContext run) {
            super(resolved.executable(), args, workingDir, timeout, exitValues, null, outFile, false, logLevel);
            this.run = run;
            this.resolved = resolved;
        }

        RunContext run() {
            return run;
        }

        Map<String, String> env() {
            return resolved.env();
        }

        String inheritedPrefix() {
            return resolved.inheritedPrefix();
        }

        String peer() {
            return resolved.peer();
        }
    }
}
