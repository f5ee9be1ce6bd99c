package io.nomadcamel.jobs.ssh;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.nomadcamel.jobs.Durations;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.helpers.AbstractConnectionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated SSH session to a node, on which commands run one after another (one exec channel each). Every
 * command has a timeout: past it, or when the calling thread is interrupted (a run being stopped), its channel is
 * closed and its processes are killed; the session stays usable. Commands run in the remote user's login shell, which
 * must be a POSIX shell. Not for concurrent use.
 */
public final class RemoteSession implements AutoCloseable {

    /** Per stream; a node-cleanup listing or a registry GC log stays far below this. */
    public static final int OUTPUT_LIMIT = 16 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(RemoteSession.class);
    private static final long CLOSE_WAIT_MILLIS = 5_000;
    private static final long CHANNEL_CLOSE_WAIT_MILLIS = 2_000;
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(15);

    private final String target;
    private final ClientSession session;
    private final Duration openTimeout;
    private final Duration defaultTimeout;

    RemoteSession(String target, ClientSession session, Duration openTimeout, Duration defaultTimeout) {
        this.target = target;
        this.session = session;
        this.openTimeout = openTimeout;
        this.defaultTimeout = defaultTimeout;
    }

    /** The node, as {@code host:port}. */
    public String target() {
        return target;
    }

    /** Runs a command with no input and the default timeout; a non-zero exit is a {@link CommandFailedException}. */
    public CommandResult run(String command) {
        return run(command, null, defaultTimeout);
    }

    /**
     * Runs a command with {@code stdin} as its standard input (then end of file): the safest way to hand it data such
     * as names, e.g. NUL-separated into {@code xargs -0}. A non-zero exit is a {@link CommandFailedException}.
     */
    public CommandResult run(String command, byte[] stdin, Duration timeout) {
        CommandResult result = execute(command, stdin, timeout);
        if (!result.succeeded()) {
            throw new CommandFailedException(target, command, result);
        }
        return result;
    }

    /** Runs a command and returns whatever exit it had; only a timeout or a broken session is an exception. */
    public CommandResult execute(String command, byte[] stdin, Duration timeout) {
        // the command itself is not recorded: it may carry node paths an operator did not choose to export
        return io.nomadcamel.jobs.trace.Tracing.client("ssh", "ssh exec", java.util.Map.of("server.address", target),
                () -> execute(command, stdin, timeout, true));
    }

    private CommandResult execute(String command, byte[] stdin, Duration timeout, boolean killWhenStopped) {
        CappedOutputStream out = new CappedOutputStream(OUTPUT_LIMIT);
        CappedOutputStream err = new CappedOutputStream(OUTPUT_LIMIT);
        PidLineOutputStream pidThenOut = new PidLineOutputStream(out);
        String shown = "'" + CommandResult.abbreviate(command, 200) + "'";
        ChannelExec channel = null;
        try {
            channel = session.createExecChannel(killWhenStopped ? "echo $$\n" + command : command);
            channel.setIn(new ByteArrayInputStream(stdin == null ? new byte[0] : stdin));
            channel.setOut(killWhenStopped ? pidThenOut : out);
            channel.setErr(err);
            channel.open().verify(openTimeout.toMillis());
            Ending ending = awaitEnd(channel, timeout);
            if (ending != Ending.FINISHED) {
                stop(channel, killWhenStopped ? pidThenOut.pid() : -1);
                throw ending == Ending.INTERRUPTED
                        ? new CommandTimeoutException(target, shown + " was stopped: the run was interrupted", null)
                        : new CommandTimeoutException(target, shown + " did not finish within "
                                + Durations.format(timeout) + "; it was stopped", timeout);
            }
            Integer status = channel.getExitStatus();
            return new CommandResult(status == null ? -1 : status, channel.getExitSignal(), out.text(), err.text(),
                    out.truncated() || err.truncated());
        } catch (IOException e) {
            throw new RemoteCommandException(target, shown + " could not run: " + e.getMessage(), e);
        } finally {
            if (channel != null && !channel.isClosed()) {
                stop(channel, killWhenStopped ? pidThenOut.pid() : -1);
            }
        }
    }

    private enum Ending {
        FINISHED, TIMED_OUT, INTERRUPTED
    }

    private static Ending awaitEnd(ChannelExec channel, Duration timeout) {
        // a latch, not ClientChannel.waitFor: MINA's waitFor swallows the interrupt that stops a run
        CountDownLatch closed = new CountDownLatch(1);
        channel.addCloseFutureListener(f -> closed.countDown());
        try {
            return closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS) ? Ending.FINISHED : Ending.TIMED_OUT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Ending.INTERRUPTED;
        }
    }

    /**
     * Ends a command early: kills its process group from a second channel, then closes its channel. Closing alone
     * would leave a quiet remote process running (sshd only closes its pipes, and answers our close only once the
     * process has exited), and the RFC 4254 "signal" request is no way out: OpenSSH refuses it for root logins
     * ("session signalling requires privilege separation").
     */
    private void stop(ChannelExec channel, long processGroup) {
        // MINA's futures fail at once on a pending interrupt; clear it for the clean-up and restore it afterwards
        boolean interrupted = Thread.interrupted();
        try {
            if (processGroup > 1) {
                kill(processGroup);
            }
            close(channel);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void close(ChannelExec channel) {
        try {
            channel.close(false).await(CHANNEL_CLOSE_WAIT_MILLIS);
        } catch (IOException e) {
            LOG.debug("graceful close of a channel to {} failed: {}", target, e.toString());
        }
        if (!channel.isClosed()) {
            channel.close(true);
        }
    }

    /**
     * SIGTERM to the group, SIGKILL if it is still there after a grace period. Written {@code kill -TERM -<pgid>}
     * without {@code --}, the one form both bash and dash (Debian's sh) accept.
     */
    private void kill(long processGroup) {
        String group = "-" + processGroup;
        String script = "kill -TERM " + group + " 2>/dev/null || exit 0\n"
                + "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.5; kill -0 " + group + " 2>/dev/null || exit 0; done\n"
                + "kill -KILL " + group + " 2>/dev/null; exit 0";
        try {
            execute(script, null, KILL_TIMEOUT, false);
        } catch (RuntimeException e) {
            LOG.warn("could not kill the stopped command's processes (group {}) on {}: {}", processGroup, target,
                    e.getMessage());
        }
    }

    /** Open channels of this session (0 between commands); for tests that a stopped command left none. */
    int openChannelCount() {
        ConnectionService service = session.getService(ConnectionService.class);
        return service instanceof AbstractConnectionService connections ? connections.getChannels().size() : 0;
    }

    public boolean isOpen() {
        return session.isOpen();
    }

    @Override
    public void close() {
        try {
            session.close(false).await(CLOSE_WAIT_MILLIS);
        } catch (IOException e) {
            LOG.debug("graceful close of the session to {} failed: {}", target, e.toString());
        } finally {
            session.close(true);
        }
    }
}
