package io.nomadcamel.jobs.testsupport;

import java.util.ArrayList;
import java.util.List;

/**
 * One allocation of a task group on a node. Its lifecycle follows a Nomad client's: pending (received) → running
 * (started) → complete (killed after a stop) or failed (driver failure). Every change takes a new ModifyIndex and
 * ModifyTime. The getters are for test assertions.
 */
public final class FakeNomadAllocation {

    private final FakeNomadState state;
    final String id;
    final String evalId;
    final FakeNomadJob job;
    final FakeNomadJob.Group group;
    final int nameIndex;
    final FakeNomadNode node;
    final long createIndex;
    final long createTime;
    String desiredStatus = "run";
    String desiredDescription = "";
    String clientStatus = "pending";
    String clientDescription = "No tasks have started";
    long modifyIndex;
    long allocModifyIndex; // moves only when the server changes the allocation, not when the client reports
    long modifyTime;
    Long startedAt;
    Long finishedAt;
    final List<TaskEvent> events = new ArrayList<>();

    FakeNomadAllocation(FakeNomadState state, String id, String evalId, FakeNomadJob.Group group, int nameIndex,
            FakeNomadNode node, long index) {
        this.state = state;
        this.id = id;
        this.evalId = evalId;
        this.job = group.owner();
        this.group = group;
        this.nameIndex = nameIndex;
        this.node = node;
        this.createIndex = index;
        this.createTime = FakeNomadState.nowNanos();
        this.modifyIndex = index;
        this.allocModifyIndex = index;
        this.modifyTime = createTime;
        events.add(new TaskEvent("Received", createTime, "Task received by client", false, ""));
    }

    public String id() {
        return id;
    }

    /** {@code <job>.<group>[<n>]}, as Nomad names allocations. */
    public String name() {
        return job.id + "." + group.name + "[" + nameIndex + "]";
    }

    public String jobId() {
        return job.id;
    }

    public String taskGroup() {
        return group.name;
    }

    public String nodeId() {
        return node.id;
    }

    public String nodeName() {
        return node.name;
    }

    public String desiredStatus() {
        synchronized (state) {
            return desiredStatus;
        }
    }

    public String clientStatus() {
        synchronized (state) {
            return clientStatus;
        }
    }

    /** Not yet terminal and still wanted: what the scheduler counts against the group's Count. */
    boolean live() {
        return "run".equals(desiredStatus) && ("pending".equals(clientStatus) || "running".equals(clientStatus));
    }

    boolean terminal() {
        return "complete".equals(clientStatus) || "failed".equals(clientStatus) || "lost".equals(clientStatus);
    }

    void started(long index) {
        long now = FakeNomadState.nowNanos();
        events.add(new TaskEvent("Task Setup", now, "Building Task Directory", false, ""));
        events.add(new TaskEvent("Started", now, "Task started by client", false, ""));
        startedAt = now;
        update(index, "running", "Tasks are running");
    }

    void stopWanted(long index) {
        desiredStatus = "stop";
        desiredDescription = "alloc not needed due to job update";
        allocModifyIndex = index;
        touch(index);
    }

    void completed(long index) {
        long now = FakeNomadState.nowNanos();
        events.add(new TaskEvent("Killing", now, "Sent interrupt. Waiting 5s before force killing", false, ""));
        events.add(new TaskEvent("Killed", now, "Task successfully killed", false, ""));
        finishedAt = now;
        update(index, "complete", "All tasks have completed");
    }

    void failed(long index, String driverError) {
        long now = FakeNomadState.nowNanos();
        events.add(new TaskEvent("Driver Failure", now, driverError, true, driverError));
        finishedAt = now;
        update(index, "failed", "Failed tasks");
    }

    private void update(long index, String newClientStatus, String description) {
        clientStatus = newClientStatus;
        clientDescription = description;
        touch(index);
    }

    private void touch(long index) {
        modifyIndex = index;
        modifyTime = FakeNomadState.nowNanos();
    }

    /** An entry of TaskStates[task].Events; every task of the allocation shares them. */
    record TaskEvent(String type, long time, String displayMessage, boolean failsTask, String driverError) {
    }
}
