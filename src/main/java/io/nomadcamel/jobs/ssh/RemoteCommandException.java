package io.nomadcamel.jobs.ssh;

/** A remote command did not succeed on a node; the message names the node as {@code host:port}. */
public class RemoteCommandException extends RuntimeException {

    private final String target;

    public RemoteCommandException(String target, String message) {
        super(target + ": " + message);
        this.target = target;
    }

    public RemoteCommandException(String target, String message, Throwable cause) {
        super(target + ": " + message, cause);
        this.target = target;
    }

    /** The node, as {@code host:port}. */
    public String target() {
        return target;
    }
}
