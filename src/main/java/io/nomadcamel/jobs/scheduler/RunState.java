package io.nomadcamel.jobs.scheduler;

/** The states of a run (design §3). */
public enum RunState {
    PENDING, RUNNING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, SKIPPED, ABANDONED;

    public boolean finished() {
        return this != PENDING && this != RUNNING;
    }
}
