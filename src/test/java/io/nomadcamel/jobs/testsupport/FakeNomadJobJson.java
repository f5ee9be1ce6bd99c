package io.nomadcamel.jobs.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Jobs in the JSON shapes of Nomad's HTTP API (job, job list stub, summary, scale status, scale answer), named as
 * in the samples under src/test/resources/fixtures/nomad. Callers hold the state's lock.
 */
final class FakeNomadJobJson {

    private static final ObjectMapper MAPPER = FakeNomadJson.MAPPER;

    private FakeNomadJobJson() {
    }

    /** GET /v1/job/:id, also embedded in allocations. */
    static ObjectNode job(FakeNomadJob j) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("Region", "global");
        o.put("Namespace", "default");
        o.put("ID", j.id);
        o.put("ParentID", "");
        o.put("Name", j.id);
        o.put("Type", j.type);
        o.put("Priority", 50);
        o.put("AllAtOnce", false);
        o.putArray("Datacenters").add("*");
        o.put("NodePool", "default");
        o.putNull("Constraints");
        ArrayNode groups = o.putArray("TaskGroups");
        j.groups.forEach(g -> groups.add(taskGroup(g)));
        o.putNull("Periodic");
        o.putNull("ParameterizedJob");
        o.putNull("Payload");
        o.putNull("Meta");
        o.put("Stop", false);
        o.put("Stable", false);
        o.put("Version", j.version);
        o.put("SubmitTime", j.submitTime);
        o.put("Status", jobStatus(j));
        o.put("StatusDescription", "");
        o.put("CreateIndex", j.createIndex);
        o.put("ModifyIndex", j.modifyIndex);
        o.put("JobModifyIndex", j.jobModifyIndex);
        return o;
    }

    private static ObjectNode taskGroup(FakeNomadJob.Group g) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("Name", g.name);
        o.put("Count", g.count);
        o.putNull("Constraints");
        ArrayNode tasks = o.putArray("Tasks");
        for (FakeNomadJob.Task t : g.tasks) {
            ObjectNode task = tasks.addObject();
            task.put("Name", t.name());
            task.put("Driver", t.driver());
            task.put("User", "");
            task.set("Config", MAPPER.valueToTree(t.config()));
            task.putNull("Env");
            task.putNull("Services");
            task.putObject("Resources").put("CPU", 100).put("MemoryMB", 300);
            task.putNull("Meta");
            task.put("KillTimeout", 5_000_000_000L);
            task.put("Leader", false);
        }
        o.putObject("EphemeralDisk").put("Sticky", false).put("SizeMB", 300).put("Migrate", false);
        o.putNull("Meta");
        return o;
    }

    /** Nomad's job status: running while any allocation is not terminal, pending while some are wanted, else dead. */
    private static String jobStatus(FakeNomadJob j) {
        List<FakeNomadAllocation> allocs = allocationsOf(j);
        if (allocs.stream().anyMatch(a -> !a.terminal())) {
            return "running";
        }
        return j.groups.stream().anyMatch(g -> g.count > 0) ? "pending" : "dead";
    }

    /** An entry of GET /v1/jobs. */
    static ObjectNode jobStub(FakeNomadJob j) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("ID", j.id);
        o.put("ParentID", "");
        o.put("Name", j.id);
        o.put("Namespace", "default");
        o.put("Type", j.type);
        o.put("Priority", 50);
        o.put("Status", jobStatus(j));
        o.put("StatusDescription", "");
        o.set("JobSummary", jobSummary(j));
        o.put("CreateIndex", j.createIndex);
        o.put("ModifyIndex", j.modifyIndex);
        o.put("JobModifyIndex", j.jobModifyIndex);
        return o;
    }

    /** GET /v1/job/:id/summary: allocation counts per group by client status. */
    static ObjectNode jobSummary(FakeNomadJob j) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("JobID", j.id);
        o.put("Namespace", "default");
        ObjectNode summary = o.putObject("Summary");
        List<FakeNomadAllocation> allocs = allocationsOf(j);
        for (FakeNomadJob.Group g : j.groups) {
            List<FakeNomadAllocation> mine = allocs.stream().filter(a -> a.group == g).toList();
            long live = mine.stream().filter(FakeNomadAllocation::live).count();
            ObjectNode s = summary.putObject(g.name);
            s.put("Queued", Math.max(0, g.count - live)); // wanted but not placed (no ready node)
            s.put("Complete", count(mine, "complete"));
            s.put("Failed", count(mine, "failed"));
            s.put("Running", count(mine, "running"));
            s.put("Starting", count(mine, "pending"));
            s.put("Lost", count(mine, "lost"));
        }
        o.putObject("Children").put("Pending", 0).put("Running", 0).put("Dead", 0);
        o.put("CreateIndex", j.createIndex);
        o.put("ModifyIndex", j.modifyIndex);
        return o;
    }

    /** GET /v1/job/:id/scale, with the scaling events newest first. */
    static ObjectNode scaleStatus(FakeNomadJob j) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("JobCreateIndex", j.createIndex);
        o.put("JobID", j.id);
        o.put("Namespace", "default");
        o.put("JobModifyIndex", j.jobModifyIndex);
        o.put("JobStopped", false);
        ObjectNode groups = o.putObject("TaskGroups");
        List<FakeNomadAllocation> allocs = allocationsOf(j);
        for (FakeNomadJob.Group g : j.groups) {
            List<FakeNomadAllocation> mine = allocs.stream().filter(a -> a.group == g).toList();
            long running = count(mine, "running");
            ObjectNode s = groups.putObject(g.name);
            s.put("Desired", g.count);
            s.put("Placed", mine.stream().filter(FakeNomadAllocation::live).count());
            s.put("Running", running);
            s.put("Healthy", running);
            s.put("Unhealthy", 0);
            s.set("Events", g.events.isEmpty() ? null : scalingEvents(g));
        }
        return o;
    }

    private static ArrayNode scalingEvents(FakeNomadJob.Group g) {
        ArrayNode events = MAPPER.createArrayNode();
        for (FakeNomadJob.ScalingEvent e : g.events) {
            ObjectNode event = events.addObject();
            if (e.count() == null) {
                event.putNull("Count");
            } else {
                event.put("Count", e.count());
            }
            event.put("PreviousCount", e.previousCount());
            event.put("Message", e.message());
            event.put("Error", e.error());
            event.set("Meta", e.meta() == null ? null : MAPPER.valueToTree(e.meta()));
            event.put("EvalID", e.evalId().isEmpty() ? null : e.evalId());
            event.put("Time", e.time());
            event.put("CreateIndex", e.createIndex());
        }
        return events;
    }

    /** The answer to POST /v1/job/:id/scale (a JobRegisterResponse). */
    static ObjectNode scaleResponse(FakeNomadState.ScaleResult r) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("EvalCreateIndex", r.evalCreateIndex());
        o.put("EvalID", r.evalId());
        o.put("Index", r.index());
        o.put("JobModifyIndex", r.jobModifyIndex());
        o.put("KnownLeader", false);
        o.put("LastContact", 0);
        o.put("Warnings", "");
        return o;
    }

    private static List<FakeNomadAllocation> allocationsOf(FakeNomadJob j) {
        return j.state().allocations.values().stream().filter(a -> a.job == j).toList();
    }

    private static long count(List<FakeNomadAllocation> allocs, String clientStatus) {
        return allocs.stream().filter(a -> clientStatus.equals(a.clientStatus)).count();
    }
}
