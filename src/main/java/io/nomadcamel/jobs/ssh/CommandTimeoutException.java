package io.nomadcamel.jobs.ssh;

import java.time.Duration;

/**
 * A remote command exceeded its timeout (or its caller was interrupted): its processes were signalled and its channel
 * closed, and what it printed so far is kept.
 */
public final class CommandTimeoutException extends RemoteCommandException {

    private final Duration timeout;

    public CommandTimeoutException(String target, String message, Duration timeout) {
        super(target, message);
        this.timeout = timeout;
    }

    /** The limit that was exceeded; null if the caller's thread was interrupted instead. */
    public Duration timeout() {
        return timeout;
    }
}
