package io.nomadcamel.jobs.scheduler;

/** Lets tests of other packages stop a run the way the scheduler does. */
public final class RunContextAccess {

    private RunContextAccess() {
    }

    public static void stop(RunContext run, String reason) {
        run.stop(RunState.CANCELLED, reason);
    }

    /** Makes {@code thread} the run's thread, which a stop interrupts, as the scheduler's executor does. */
    public static void bindThread(RunContext run, Thread thread) {
        run.bindThread(thread);
    }
}
