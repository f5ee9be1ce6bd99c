package io.nomadcamel.jobs.cleanup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.nomadcamel.jobs.scheduler.RunContext;

/**
 * Cleans nodes on at most {@code concurrency} threads of the run's own, every node tried whatever happens to the
 * others. A node's exception is recorded on the node, never thrown. Stopping the run (its thread is interrupted)
 * interrupts the workers, which makes {@code RemoteSession} kill the remote commands, and waits for them.
 *
 * <p>Why not Camel's parallel split: its thread pool is fixed when the route is built, while {@code node_concurrency}
 * is a per-run input, and its worker threads would not see the run's stop.
 */
final class ParallelNodes {

    static final long STOP_WAIT_SECONDS = 60;

    private ParallelNodes() {
    }

    /** Runs {@code work} for each node; {@code finished} is called (on the worker) as each node ends. */
    static void forEach(List<NodeCleanup> nodes, int concurrency, RunContext run, Consumer<NodeCleanup> work,
            Consumer<NodeCleanup> finished) {
        if (nodes.isEmpty()) {
            return;
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(Math.min(concurrency, nodes.size()), r -> {
            Thread t = new Thread(r, "node-cleanup-" + run.runId() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (NodeCleanup node : nodes) {
                futures.add(workers.submit(() -> cleanOne(node, work, finished)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            workers.shutdownNow();
            awaitWorkers(workers);
            Thread.currentThread().interrupt();
            throw new RunContext.RunStoppedException(run.stopped() ? run.stopReason() : "interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException("a node worker failed unexpectedly", e.getCause());
        } finally {
            workers.shutdownNow();
        }
    }

    private static void cleanOne(NodeCleanup node, Consumer<NodeCleanup> work, Consumer<NodeCleanup> finished) {
        try {
            work.accept(node);
        } catch (RuntimeException | Error e) {
            node.error(message(e));
        } finally {
            try {
                node.closeSession();
            } finally {
                node.markDone();
                finished.accept(node);
            }
        }
    }

    private static void awaitWorkers(ExecutorService workers) {
        // the run's thread was interrupted; waiting must not fail at once on that
        boolean interrupted = Thread.interrupted();
        try {
            workers.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException ignored) {
            // a second stop: give up waiting
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The message that explains a node's failure: the first cause with one, past Camel's wrappers. */
    static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null
                || t instanceof org.apache.camel.RuntimeCamelException
                || t instanceof java.lang.reflect.InvocationTargetException)) {
            t = t.getCause();
        }
        return t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
    }
}
