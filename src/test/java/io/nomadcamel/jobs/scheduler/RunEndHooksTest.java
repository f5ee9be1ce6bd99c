package io.nomadcamel.jobs.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A run's end hooks (RunContext.onEnd): what must happen when the run ends, whatever its route did. They run once,
 * in order, one key once, each with a stop's interrupt cleared; their errors are collected, one failing hook does not
 * keep the next from running.
 */
class RunEndHooksTest {

    @Test
    void hooksRunOnceInOrderWithoutAPendingInterruptAndReportTheirErrors() {
        RunContext run = new RunContext(42, null, text -> { });
        List<String> seen = new ArrayList<>();
        run.onEnd("compensate", r -> {
            seen.add("compensate, interrupted=" + Thread.currentThread().isInterrupted());
            Thread.currentThread().interrupt(); // a hook that leaves an interrupt behind
            return "CRITICAL: still offline";
        });
        run.onEnd("compensate", r -> {
            seen.add("the same key again");
            return null;
        });
        run.onEnd("tidy", r -> {
            seen.add("tidy of run " + r.runId() + ", interrupted=" + Thread.currentThread().isInterrupted());
            throw new IllegalStateException("could not tidy");
        });

        Thread.currentThread().interrupt(); // the run was stopped
        List<String> errors = run.runEndHooks();

        assertEquals(List.of("compensate, interrupted=false", "tidy of run 42, interrupted=false"), seen);
        assertEquals(List.of("CRITICAL: still offline", "could not tidy"), errors);
        assertEquals(List.of(), run.runEndHooks(), "once");
        assertEquals(2, seen.size());
        Thread.interrupted();
        assertFalse(Thread.currentThread().isInterrupted());
    }
}
