package io.nomadcamel.jobs.backup;

/** A backup file failed its verification; the message says what is wrong with it. */
public final class InvalidArtifactException extends RuntimeException {

    public InvalidArtifactException(String message) {
        super(message);
    }
}
