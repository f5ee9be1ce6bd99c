package io.nomadcamel.jobs.ssh;

/** No usable SSH session to a node: unreachable, host not verified, or login refused. */
public final class SshConnectException extends RemoteCommandException {

    /** Why there is no session; host verification failures are never retried by callers. */
    public enum Reason {
        UNREACHABLE, TIMEOUT, KEY_EXCHANGE_FAILED, HOST_NOT_VERIFIED, LOGIN_REFUSED
    }

    private final Reason reason;

    public SshConnectException(String target, Reason reason, String message, Throwable cause) {
        super(target, message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
