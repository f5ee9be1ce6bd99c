package io.nomadcamel.jobs.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The cluster behind a FakeNomad: nodes, jobs, allocations and one Raft-like index that grows with every change
 * (and wakes blocking queries). This object's monitor guards all of it, including the entities' fields and the
 * scheduler's; scaling itself is in FakeNomadScheduler.
 */
final class FakeNomadState {

    static final String NOMAD_VERSION = "1.9.7";

    /** A refusal that the HTTP layer writes as Nomad does: the status and a plain-text message. */
    static final class ApiError extends RuntimeException {
        final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    record ScaleResult(String evalId, long evalCreateIndex, long jobModifyIndex, long index) {
    }

    private long index = 100; // a fresh real cluster is never at index 0; clients treat 0 as "no index"
    final Map<String, FakeNomadNode> nodes = new LinkedHashMap<>();
    final Map<String, FakeNomadJob> jobs = new LinkedHashMap<>();
    final Map<String, FakeNomadAllocation> allocations = new LinkedHashMap<>();
    final FakeNomadScheduler scheduler = new FakeNomadScheduler(this);

    static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    static String uuid() {
        return UUID.randomUUID().toString();
    }

    synchronized long nextIndex() {
        index++;
        notifyAll();
        return index;
    }

    synchronized long index() {
        return index;
    }

    /** Blocking-query wait: returns once the index passed {@code seen}, or when the wait is over. */
    synchronized void awaitIndexAfter(long seen, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (index <= seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    synchronized FakeNomadNode addNode(String name, String ip) {
        if (nodes.values().stream().anyMatch(n -> n.name.equals(name))) {
            throw new IllegalArgumentException("there is already a node named " + name);
        }
        FakeNomadNode node = new FakeNomadNode(this, uuid(), name, ip, nextIndex());
        nodes.put(node.id, node);
        return node;
    }

    synchronized FakeNomadNode nodeNamed(String name) {
        return nodes.values().stream().filter(n -> n.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node named " + name));
    }

    synchronized FakeNomadJob addJob(String id) {
        if (jobs.containsKey(id)) {
            throw new IllegalArgumentException("there is already a job " + id);
        }
        FakeNomadJob job = new FakeNomadJob(this, id, nextIndex());
        jobs.put(id, job);
        return job;
    }

    synchronized FakeNomadJob.Group group(String jobId, String groupName) {
        FakeNomadJob job = jobs.get(jobId);
        FakeNomadJob.Group group = job == null ? null : job.findGroup(groupName);
        if (group == null) {
            throw new IllegalArgumentException("no job " + jobId + " with a group " + groupName);
        }
        return group;
    }

    /** Places an allocation directly in the given client status (pending, running, complete or failed). */
    synchronized FakeNomadAllocation place(String jobId, String groupName, String nodeName, String clientStatus) {
        FakeNomadAllocation alloc = newAllocation(group(jobId, groupName), nodeNamed(nodeName));
        switch (clientStatus) {
            case "pending" -> { }
            case "running" -> alloc.started(nextIndex());
            case "complete" -> {
                alloc.started(nextIndex());
                alloc.completed(nextIndex());
            }
            case "failed" -> alloc.failed(nextIndex(), "failed to start task: image pull failed");
            default -> throw new IllegalArgumentException("unsupported client status " + clientStatus);
        }
        return alloc;
    }

    synchronized List<FakeNomadAllocation> allocationsOf(String jobId) {
        return allocations.values().stream().filter(a -> a.job.id.equals(jobId)).toList();
    }

    FakeNomadAllocation newAllocation(FakeNomadJob.Group group, FakeNomadNode node) {
        return newAllocation(group, node, uuid());
    }

    /** A pending allocation with the lowest name index ([n]) that no live allocation of the group holds. */
    FakeNomadAllocation newAllocation(FakeNomadJob.Group group, FakeNomadNode node, String evalId) {
        Set<Integer> taken = new HashSet<>();
        allocations.values().stream().filter(a -> a.group == group && a.live()).forEach(a -> taken.add(a.nameIndex));
        int nameIndex = 0;
        while (taken.contains(nameIndex)) {
            nameIndex++;
        }
        FakeNomadAllocation alloc = new FakeNomadAllocation(this, uuid(), evalId, group, nameIndex, node, nextIndex());
        allocations.put(alloc.id, alloc);
        return alloc;
    }

    /** Forgets the cluster and stops pending transitions; the index keeps growing, as it would on a real server. */
    synchronized void reset() {
        scheduler.reset();
        nodes.clear();
        jobs.clear();
        allocations.clear();
        nextIndex();
    }
}
