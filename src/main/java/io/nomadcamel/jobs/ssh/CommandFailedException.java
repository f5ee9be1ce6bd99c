package io.nomadcamel.jobs.ssh;

/** A remote command ran and exited non-zero (or was killed by a signal); carries its stderr for the run's error. */
public final class CommandFailedException extends RemoteCommandException {

    private final CommandResult result;

    public CommandFailedException(String target, String command, CommandResult result) {
        super(target, "'" + CommandResult.abbreviate(command, 200) + "' " + result.describeExit()
                + (result.stderr().isBlank() ? "" : ": " + CommandResult.abbreviate(result.stderr().strip(), 2000)));
        this.result = result;
    }

    public int exitCode() {
        return result.exitCode();
    }

    public String stderr() {
        return result.stderr();
    }

    public CommandResult result() {
        return result;
    }
}
