package io.nomadcamel.jobs.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * RunContext.acquire, the wait of a split's item for one of its run's slots (dumps, uploads, drills, scans): it
 * takes a free permit, waits while none is free, and ends with the run's stop, which does not interrupt split threads.
 */
class RunSlotsTest {

    @Test
    void takesAFreePermitAndWaitsForOneThatIsReleased() throws Exception {
        RunContext run = new RunContext(1, null, text -> { });
        Semaphore slots = new Semaphore(1);
        run.acquire(slots);
        assertEquals(0, slots.availablePermits());

        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> run.acquire(slots));
        Thread.sleep(500);
        assertTrue(!second.isDone(), "waits while the only permit is taken");
        slots.release();
        second.get(5, TimeUnit.SECONDS);
        assertEquals(0, slots.availablePermits(), "the waiter took the released permit");
    }

    @Test
    void aStopEndsTheWaitWithTheStopsReasonAndTakesNoPermit() throws Exception {
        RunContext run = new RunContext(2, null, text -> { });
        Semaphore slots = new Semaphore(0);
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> run.acquire(slots));
        Thread.sleep(300);
        assertTrue(!waiting.isDone());

        run.stop(RunState.CANCELLED, "stopped by an operator");

        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof RunContext.RunStoppedException, String.valueOf(e.getCause()));
        assertEquals("run stopped: stopped by an operator", e.getCause().getMessage());
        slots.release();
        assertEquals(1, slots.availablePermits(), "the stopped waiter took nothing");
        assertThrows(RunContext.RunStoppedException.class, () -> run.acquire(slots), "a stopped run never waits");
        assertEquals(1, slots.availablePermits());
    }
}
