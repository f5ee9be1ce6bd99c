package io.nomadcamel.jobs.testsupport;

import io.nomadcamel.jobs.testsupport.FakeNomadState.ApiError;
import io.nomadcamel.jobs.testsupport.FakeNomadState.ScaleResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Scaling, asynchronous as in Nomad: POST /v1/job/:id/scale answers with an evaluation at once, and one worker
 * thread later moves the allocations, in the order of the calls. Before a move it calls the job's listeners (outside
 * the lock, they may take seconds), so a test can stop or start a real process before the allocation's status says
 * so. Fields are guarded by the state's monitor, the one lock of the fake.
 */
final class FakeNomadScheduler {

    private final FakeNomadState state;
    private final Map<String, List<FakeNomad.ScaleListener>> listeners = new HashMap<>();
    private final Set<String> neverDrain = new HashSet<>();
    private final List<Throwable> listenerFailures = new CopyOnWriteArrayList<>();
    private Duration stopDelay = Duration.ZERO;
    private Duration startDelay = Duration.ZERO;
    private ExecutorService worker;
    private int transitionsInFlight;
    private int generation; // moves queued before a reset() must not touch the counter afterwards

    FakeNomadScheduler(FakeNomadState state) {
        this.state = state;
    }

    void onScale(String jobId, FakeNomad.ScaleListener listener) {
        synchronized (state) {
            listeners.computeIfAbsent(jobId, j -> new ArrayList<>()).add(listener);
        }
    }

    void neverDrain(String jobId) {
        synchronized (state) {
            neverDrain.add(jobId);
        }
    }

    void delays(Duration stopping, Duration starting) {
        synchronized (state) {
            stopDelay = stopping;
            startDelay = starting;
        }
    }

    List<Throwable> listenerFailures() {
        return List.copyOf(listenerFailures);
    }

    /** POST /v1/job/:id/scale once the HTTP layer has validated the request. */
    ScaleResult scale(String jobId, String groupName, Integer count, String message, boolean error, Object meta) {
        synchronized (state) {
            FakeNomadJob job = state.jobs.get(jobId);
            if (job == null) {
                throw new ApiError(404, "job \"" + jobId + "\" not found");
            }
            FakeNomadJob.Group group = job.findGroup(groupName);
            if (group == null) {
                throw new ApiError(400, "task group \"" + groupName + "\" specified for scaling does not exist in job");
            }
            int oldCount = group.count;
            if (count == null) { // an event only (an autoscaler reporting): no new job version, no evaluation
                group.events.addFirst(new FakeNomadJob.ScalingEvent(FakeNomadState.nowNanos(), oldCount, null,
                        message, error, meta, "", state.nextIndex()));
                return new ScaleResult("", 0, job.jobModifyIndex, state.index());
            }
            group.count = count;
            job.bumpVersion(); // Nomad registers the new job version first, then creates the evaluation
            long evalIndex = state.nextIndex();
            String evalId = FakeNomadState.uuid();
            group.events.addFirst(new FakeNomadJob.ScalingEvent(FakeNomadState.nowNanos(), oldCount, count, message,
                    error, meta, evalId, evalIndex));
            reconcile(group, oldCount, count, evalId);
            return new ScaleResult(evalId, evalIndex, job.jobModifyIndex, evalIndex);
        }
    }

    /** What Nomad's scheduler decides at once, and what the clients then do on the worker. */
    private void reconcile(FakeNomadJob.Group group, int oldCount, int newCount, String evalId) {
        List<FakeNomadAllocation> live = state.allocations.values().stream()
                .filter(a -> a.group == group && a.live())
                .sorted(Comparator.comparingInt((FakeNomadAllocation a) -> a.nameIndex).reversed())
                .toList();
        String jobId = group.owner().id;
        if (live.size() > newCount) {
            List<FakeNomadAllocation> excess = live.subList(0, live.size() - newCount); // highest [n] first
            long stopIndex = state.nextIndex();
            excess.forEach(a -> a.stopWanted(stopIndex));
            if (neverDrain.contains(jobId)) {
                return; // the tasks ignore the kill: desired stop, client still running, forever
            }
            schedule(stopDelay, () -> {
                notifyListeners(jobId, group.name, oldCount, newCount);
                synchronized (state) { // Nomad kills the tasks even when a listener failed to stop them
                    long doneIndex = state.nextIndex();
                    excess.forEach(a -> a.completed(doneIndex));
                }
            });
        } else if (live.size() < newCount) {
            FakeNomadNode target = placementNode(group);
            if (target == null) {
                return; // no ready node: the group stays queued, as on an exhausted cluster
            }
            List<FakeNomadAllocation> added = new ArrayList<>();
            for (int i = live.size(); i < newCount; i++) {
                added.add(state.newAllocation(group, target, evalId));
            }
            schedule(startDelay, () -> {
                Throwable failure = notifyListeners(jobId, group.name, oldCount, newCount);
                synchronized (state) {
                    long doneIndex = state.nextIndex();
                    for (FakeNomadAllocation a : added) {
                        if (failure == null) {
                            a.started(doneIndex);
                        } else {
                            a.failed(doneIndex, "failed to start task: " + failure.getMessage());
                        }
                    }
                }
            });
        } else if (oldCount != newCount) {
            schedule(Duration.ZERO, () -> notifyListeners(jobId, group.name, oldCount, newCount));
        }
    }

    /** The node the group last ran on (a restarted registry must come back where its data is), else a ready one. */
    private FakeNomadNode placementNode(FakeNomadJob.Group group) {
        return state.allocations.values().stream().filter(a -> a.group == group)
                .max(Comparator.comparingLong(a -> a.createIndex)).map(a -> a.node)
                .orElseGet(() -> state.nodes.values().stream().filter(FakeNomadNode::acceptsPlacements).findFirst()
                        .orElse(null));
    }

    /** Calls the job's listeners in order; returns the first failure (and records it for the test). */
    private Throwable notifyListeners(String jobId, String group, int oldCount, int newCount) {
        List<FakeNomad.ScaleListener> toCall;
        synchronized (state) {
            toCall = List.copyOf(listeners.getOrDefault(jobId, List.of()));
        }
        for (FakeNomad.ScaleListener listener : toCall) {
            try {
                listener.onScale(group, oldCount, newCount);
            } catch (Exception | AssertionError e) {
                listenerFailures.add(e);
                return e;
            }
        }
        return null;
    }

    private void schedule(Duration delay, Runnable move) {
        synchronized (state) {
            if (worker == null) {
                worker = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "fake-nomad-scheduler");
                    t.setDaemon(true);
                    return t;
                });
            }
            transitionsInFlight++;
            int scheduledIn = generation;
            worker.execute(() -> {
                try {
                    Thread.sleep(delay.toMillis());
                    move.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // reset() or stop() discarded this move
                } finally {
                    synchronized (state) {
                        if (scheduledIn == generation) {
                            transitionsInFlight--;
                            state.notifyAll();
                        }
                    }
                }
            });
        }
    }

    /** Waits until every move queued so far has happened. */
    void awaitTransitions(Duration timeout) throws InterruptedException {
        synchronized (state) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (transitionsInFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(transitionsInFlight + " scale move(s) still pending after "
                            + timeout + " (is a scale listener stuck?)");
                }
                state.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Drops listeners, delays and queued moves. */
    void reset() {
        synchronized (state) {
            if (worker != null) {
                worker.shutdownNow();
                worker = null;
            }
            generation++;
            transitionsInFlight = 0;
            listeners.clear();
            neverDrain.clear();
            listenerFailures.clear();
            stopDelay = Duration.ZERO;
            startDelay = Duration.ZERO;
        }
    }
}
