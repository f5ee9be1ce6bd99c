package io.nomadcamel.jobs.ssh;

/**
 * The SSH client cannot be set up: a configured key, certificate or CA file is missing, unreadable or malformed. The
 * message names the file and its environment variable, never the file's content (which may be key material).
 */
public final class SshSetupException extends IllegalStateException {

    public SshSetupException(String message) {
        super(message);
    }
}
