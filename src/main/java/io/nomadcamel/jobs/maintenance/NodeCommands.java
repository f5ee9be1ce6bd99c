package io.nomadcamel.jobs.maintenance;

import java.time.Duration;

import io.nomadcamel.jobs.ssh.CommandResult;
import io.nomadcamel.jobs.ssh.RemoteSession;
import io.nomadcamel.jobs.ssh.ShellQuoting;

/**
 * What offline maintenance runs on the node besides the operator's command: the size of a directory, and making sure
 * the command is gone before the group may run again.
 *
 * <p>A command is found on the node by a marker. sshd runs each command as {@code <login shell> -c '<text>'}, and the
 * text we send starts with a comment line carrying the marker, so the marker is in that shell's command line, and
 * the shell leads the process group of everything the command started (sshd calls setsid). Killing that group from
 * another session works after our own process died (a crash), which is how recovery makes sure a garbage collection
 * is over before the registry starts again.
 */
public final class NodeCommands {

    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(60);

    private NodeCommands() {
    }

    /** A marker unique to one intent: digits and dashes, ended by ';' so intent 4 never matches intent 42. */
    public static String marker(long intentId, long runId) {
        return "ncj-maintenance-" + intentId + "-run-" + runId + ";";
    }

    /**
     * The command as sent: a comment line with the marker, the command, then {@code exit $?}. The trailing exit keeps
     * the shell (and so the marker) alive: bash 5.1+ and dash replace themselves with the last simple command of a
     * {@code -c} string, which would take the marker out of every command line.
     */
    public static String marked(String marker, String command) {
        return "# " + marker + "\n" + command + "\nexit $?";
    }

    /**
     * Removes a container by name ({@code docker rm -f}) and waits until {@code docker inspect} reports it gone
     * ("No such object"), polling up to {@code timeout}. Only that answer counts as gone: an inspect that fails
     * otherwise (no daemon, no CLI) proves nothing. Fails, naming what docker said, if the container cannot be
     * confirmed gone; a failed {@code rm -f} fails at once unless the container is gone anyway.
     */
    public static void removeContainer(RemoteSession session, String docker, String name, Duration timeout,
            Duration poll) {
        CommandResult rm = session.execute(ShellQuoting.command(docker, "rm", "-f", name), null, CHECK_TIMEOUT);
        boolean removed = rm.succeeded() || noSuch(rm.stderr());
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                CommandResult inspect = session.execute(ShellQuoting.command(docker, "inspect", name), null,
                        CHECK_TIMEOUT);
                if (!inspect.succeeded() && noSuch(inspect.stderr())) {
                    return;
                }
                if (!removed) {
                    throw new MaintenanceException("docker rm -f " + name + " failed (exit " + rm.exitCode() + "): "
                            + firstLine(rm.stderr()));
                }
                if (System.nanoTime() > deadline) {
                    throw new MaintenanceException("container " + name + " is not reported gone "
                            + io.nomadcamel.jobs.Durations.format(timeout) + " after docker rm -f (docker inspect: "
                            + (inspect.succeeded() ? "it still exists" : "exit " + inspect.exitCode() + ": "
                                    + firstLine(inspect.stderr())) + ")");
                }
                try {
                    Thread.sleep(poll.toMillis());
                } catch (InterruptedException e) {
                    interrupted = true; // a stop does not cut the check short
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** docker's "it does not exist": {@code No such object: N} (inspect), {@code No such container: N} (rm). */
    private static boolean noSuch(String stderr) {
        return stderr.contains("No such object") || stderr.contains("No such container");
    }

    private static String firstLine(String text) {
        String line = text.strip().lines().findFirst().orElse("");
        return line.isEmpty() ? "(no output)" : line;
    }

    /** {@code du -sb} of a directory on the node, in bytes. */
    public static long measure(RemoteSession session, String path, Duration timeout) {
        CommandResult result = session.run(ShellQuoting.command("du", "-sb", "--", path), null, timeout);
        return parseDu(result.stdout(), path);
    }

    static long parseDu(String stdout, String path) {
        String first = stdout.strip().lines().findFirst().orElse("");
        int end = 0;
        while (end < first.length() && Character.isDigit(first.charAt(end))) {
            end++;
        }
        if (end == 0) {
            throw new MaintenanceException("du -sb " + path + " printed no size: '" + first + "'");
        }
        return Long.parseLong(first.substring(0, end));
    }

    /**
     * Kills every process group whose leader carries the marker (TERM, then KILL after {@code grace}) and checks that
     * none of their processes is left. The pattern starts with {@code [n]} so it never matches the command line of the
     * shell running this very script. Fails if anything survives.
     */
    public static void killMarked(RemoteSession session, String marker, Duration grace) {
        String pattern = ShellQuoting.quote("[n]" + marker.substring(1));
        long halfSeconds = Math.max(1, grace.toMillis() / 500);
        String script = String.join("\n",
                "leaders=$(pgrep -f " + pattern + ")",
                "[ -z \"$leaders\" ] && { echo gone; exit 0; }",
                "groups=''",
                "for p in $leaders; do",
                "  g=$(ps -o pgid= -p \"$p\" | tr -d ' ')",
                // never group 1 or 0: "kill -TERM -1" would signal every process of the user
                "  [ -n \"$g\" ] && [ \"$g\" -gt 1 ] && groups=\"$groups $g\"",
                "done",
                // a killed process stays a zombie until reaped (by init, which in a container may be slow): dead
                "alive() { for g in $groups; do ps -e -o pgid=,stat= | awk -v g=\"$g\" "
                        + "'$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }' && return 0; done;"
                        + " pgrep -f " + pattern + " >/dev/null; }",
                "for g in $groups; do kill -TERM -\"$g\" 2>/dev/null; done",
                "for p in $leaders; do kill -TERM \"$p\" 2>/dev/null; done",
                "i=0",
                "while [ $i -lt " + halfSeconds + " ]; do alive || { echo killed; exit 0; }; sleep 0.5;"
                        + " i=$((i+1)); done",
                "for g in $groups; do kill -KILL -\"$g\" 2>/dev/null; done",
                "for p in $(pgrep -f " + pattern + "); do kill -KILL \"$p\" 2>/dev/null; done",
                "sleep 1",
                "alive && { echo \"still running in process groups$groups\" >&2; exit 1; }",
                "echo killed");
        session.run(script, null, CHECK_TIMEOUT.plus(grace));
    }
}
