package io.nomadcamel.jobs.ssh;

/**
 * What a remote command did: its exit code, or the signal that ended it, and its output decoded as UTF-8. Output is
 * capped (see {@link RemoteSession#OUTPUT_LIMIT}); {@code truncated} says some was dropped.
 *
 * @param exitCode   the exit status; -1 when the command ended by a signal or without reporting one
 * @param exitSignal the signal name (e.g. TERM) when it ended by a signal, else null
 */
public record CommandResult(int exitCode, String exitSignal, String stdout, String stderr, boolean truncated) {

    public boolean succeeded() {
        return exitCode == 0 && exitSignal == null;
    }

    String describeExit() {
        if (exitSignal != null) {
            return "was killed by signal " + exitSignal;
        }
        return exitCode == -1 ? "ended without an exit status" : "exited with " + exitCode;
    }

    static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }
}
