package io.nomadcamel.jobs.testsupport;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job of the fake cluster with its task groups and tasks, built fluently:
 * {@code nomad.addJob("web").group("web", 1).task("server", "docker", "nginx:1.25")}. Adding a group or a task is a
 * new job version, as re-submitting a job spec would be.
 */
public final class FakeNomadJob {

    private final FakeNomadState state;
    final String id;
    String type = "service";
    final List<Group> groups = new ArrayList<>();
    final long createIndex;
    long modifyIndex;
    long jobModifyIndex;
    long version;
    final long submitTime;

    FakeNomadJob(FakeNomadState state, String id, long index) {
        this.state = state;
        this.id = id;
        this.createIndex = index;
        this.modifyIndex = index;
        this.jobModifyIndex = index;
        this.submitTime = FakeNomadState.nowNanos();
    }

    public String id() {
        return id;
    }

    /** "service" (default), "batch", "system" or "sysbatch". */
    public FakeNomadJob type(String jobType) {
        synchronized (state) {
            this.type = jobType;
            bumpVersion();
        }
        return this;
    }

    /** Adds a task group that should run {@code count} allocations (place them with FakeNomad.placeAllocations). */
    public Group group(String name, int count) {
        synchronized (state) {
            if (findGroup(name) != null) {
                throw new IllegalArgumentException("job " + id + " already has a group " + name);
            }
            Group group = new Group(name, count);
            groups.add(group);
            bumpVersion();
            return group;
        }
    }

    FakeNomadState state() {
        return state;
    }

    Group findGroup(String name) {
        return groups.stream().filter(g -> g.name.equals(name)).findFirst().orElse(null);
    }

    void bumpVersion() {
        long index = state.nextIndex();
        modifyIndex = index;
        jobModifyIndex = index;
        version++;
    }

    /** A task group; its Count is what POST /v1/job/:id/scale changes. */
    public final class Group {
        final String name;
        int count;
        final List<Task> tasks = new ArrayList<>();
        /** Newest first, as GET /v1/job/:id/scale lists them. */
        final Deque<ScalingEvent> events = new ArrayDeque<>();

        private Group(String name, int count) {
            this.name = name;
            this.count = count;
        }

        public String name() {
            return name;
        }

        public int count() {
            synchronized (state) {
                return count;
            }
        }

        /** A task without an image (exec, raw_exec): an empty Config. */
        public Group task(String taskName, String driver) {
            return task(taskName, driver, Map.of());
        }

        /** A task whose Config holds only {@code image} (none when image is null, as for exec/raw_exec). */
        public Group task(String taskName, String driver, String image) {
            Map<String, Object> config = new LinkedHashMap<>();
            if (image != null) {
                config.put("image", image);
            }
            return task(taskName, driver, config);
        }

        /** A task with a full driver Config, e.g. {@code Map.of("command", "/bin/sleep", "args", List.of("60"))}. */
        public Group task(String taskName, String driver, Map<String, Object> config) {
            synchronized (state) {
                tasks.add(new Task(taskName, driver, new LinkedHashMap<>(config)));
                bumpVersion();
            }
            return this;
        }

        /** Another group of the same job, so one chain can describe the whole job. */
        public Group group(String groupName, int groupCount) {
            return FakeNomadJob.this.group(groupName, groupCount);
        }

        public FakeNomadJob job() {
            return FakeNomadJob.this;
        }

        FakeNomadJob owner() {
            return FakeNomadJob.this;
        }
    }

    record Task(String name, String driver, Map<String, Object> config) {
    }

    /** One POST /v1/job/:id/scale as Nomad records it (count is null for an event without a count change). */
    record ScalingEvent(long time, int previousCount, Integer count, String message, boolean error,
            Object meta, String evalId, long createIndex) {
    }
}
