package io.nomadcamel.jobs.nomad;

/** The Nomad API refused or failed a call; the message carries Nomad's own text, never the token. */
public final class NomadException extends RuntimeException {

    private final int status;

    public NomadException(String method, String path, int status, String body) {
        super("Nomad " + method + " " + path + (status > 0 ? " answered " + status : " failed") + (body == null
                || body.isBlank() ? "" : ": " + (body.length() > 500 ? body.substring(0, 500) : body)));
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Nomad's 404 ("job not found"): permanent, not worth a retry. */
    public boolean notFound() {
        return status == 404;
    }
}
