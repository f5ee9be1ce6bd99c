package io.nomadcamel.jobs.process;

import java.util.List;

/** An external program exited non-zero (or could not start, or timed out); carries its stderr. */
public final class ProcessFailedException extends RuntimeException {

    private final int exitCode;
    private final String stderr;

    public ProcessFailedException(List<String> command, int exitCode, String stderr) {
        super(command.get(0) + (exitCode >= 0 ? " exited with " + exitCode : " failed") + messageOf(stderr));
        this.exitCode = exitCode;
        this.stderr = stderr == null ? "" : stderr;
    }

    public int exitCode() {
        return exitCode;
    }

    public String stderr() {
        return stderr;
    }

    private static String messageOf(String stderr) {
        if (stderr == null || stderr.isBlank()) {
            return "";
        }
        String s = stderr.strip();
        return ": " + (s.length() > 2000 ? s.substring(s.length() - 2000) : s);
    }
}
