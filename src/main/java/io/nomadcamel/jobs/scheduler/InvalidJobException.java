package io.nomadcamel.jobs.scheduler;

/** A job definition that cannot be used; the message names the job and the field. */
public final class InvalidJobException extends IllegalArgumentException {

    private final String field;

    public InvalidJobException(String jobId, String field, String problem) {
        super("job " + (jobId == null || jobId.isBlank() ? "(no id)" : "'" + jobId + "'") + ": "
                + (field == null ? "" : field + " ") + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** An operator's mistake, told by its message alone: a start-up it stops logs one line, not a stack trace. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
