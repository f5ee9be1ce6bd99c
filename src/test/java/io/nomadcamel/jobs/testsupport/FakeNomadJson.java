package io.nomadcamel.jobs.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * Nodes and allocations in the JSON shapes of Nomad's HTTP API (jobs: FakeNomadJobJson), with the field names of
 * the samples in src/test/resources/fixtures/nomad (FakeNomadTest checks every name against them). Only fields a
 * job could read are filled; Nomad's other fields are left out, which clients must tolerate anyway. Callers hold
 * the state's lock.
 */
final class FakeNomadJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private FakeNomadJson() {
    }

    /** An entry of GET /v1/nodes: Address is HTTPAddr's host; Attributes only with ?os=true, and only os.name. */
    static ObjectNode nodeStub(FakeNomadNode n, boolean withOs) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("Address", n.addressHost());
        o.put("ID", n.id);
        if (withOs) {
            o.putObject("Attributes").put("os.name", n.attributes.getOrDefault("os.name", ""));
        }
        o.put("Datacenter", n.datacenter);
        o.put("Name", n.name);
        o.put("NodeClass", n.nodeClass);
        o.put("NodePool", n.nodePool);
        o.put("Version", n.attributes.getOrDefault("nomad.version", ""));
        o.put("Drain", n.drain);
        o.put("SchedulingEligibility", n.schedulingEligibility);
        o.put("Status", n.status);
        o.put("StatusDescription", "");
        o.set("Drivers", drivers(n));
        o.putNull("LastDrain");
        o.put("CreateIndex", n.createIndex);
        o.put("ModifyIndex", n.modifyIndex);
        return o;
    }

    /** GET /v1/node/:id, where HTTPAddr and all Attributes (unique.network.ip-address) are. */
    static ObjectNode node(FakeNomadNode n) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("ID", n.id);
        o.put("SecretID", ""); // Nomad blanks the node secret in API answers
        o.put("Name", n.name);
        o.put("Datacenter", n.datacenter);
        o.put("HTTPAddr", n.httpAddr);
        o.put("TLSEnabled", false);
        ObjectNode attributes = o.putObject("Attributes");
        n.attributes.forEach(attributes::put);
        o.putObject("Meta");
        o.put("NodeClass", n.nodeClass);
        o.put("Drain", n.drain);
        if (n.drain) {
            o.putObject("DrainStrategy").put("Deadline", 3_600_000_000_000L).put("IgnoreSystemJobs", false);
        } else {
            o.putNull("DrainStrategy");
        }
        o.put("SchedulingEligibility", n.schedulingEligibility);
        o.put("Status", n.status);
        o.put("StatusDescription", "");
        o.set("Drivers", drivers(n));
        o.putNull("LastDrain");
        o.put("CreateIndex", n.createIndex);
        o.put("ModifyIndex", n.modifyIndex);
        return o;
    }

    private static ObjectNode drivers(FakeNomadNode n) {
        ObjectNode drivers = MAPPER.createObjectNode();
        for (String driver : n.drivers) {
            ObjectNode d = drivers.putObject(driver);
            d.putObject("Attributes").put("driver." + driver, "true");
            d.put("Detected", true);
            d.put("HealthDescription", "Healthy");
            d.put("Healthy", true);
            d.put("UpdateTime", n.registeredAt);
        }
        return drivers;
    }

    /** An entry of GET /v1/allocations and /v1/job/:id/allocations (AllocListStub). */
    static ObjectNode allocationStub(FakeNomadAllocation a) {
        ObjectNode o = allocationCommon(a);
        o.put("JobType", a.job.type);
        o.put("JobVersion", a.job.version);
        o.putNull("PreemptedAllocations");
        o.put("PreemptedByAllocation", "");
        return o;
    }

    /** GET /v1/allocation/:id and the entries of /v1/node/:id/allocations: the full allocation, Job embedded. */
    static ObjectNode allocation(FakeNomadAllocation a) {
        ObjectNode o = allocationCommon(a);
        o.set("Job", FakeNomadJobJson.job(a.job));
        o.put("AllocModifyIndex", a.allocModifyIndex);
        o.put("DeploymentID", "");
        o.put("PreviousAllocation", "");
        o.put("NextAllocation", "");
        return o;
    }

    private static ObjectNode allocationCommon(FakeNomadAllocation a) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("ID", a.id);
        o.put("EvalID", a.evalId);
        o.put("Name", a.name());
        o.put("Namespace", "default");
        o.put("NodeID", a.node.id);
        o.put("NodeName", a.node.name);
        o.put("JobID", a.job.id);
        o.put("TaskGroup", a.group.name);
        o.put("DesiredStatus", a.desiredStatus);
        o.put("DesiredDescription", a.desiredDescription);
        ObjectNode transition = o.putObject("DesiredTransition");
        transition.putNull("Migrate");
        transition.putNull("Reschedule");
        transition.putNull("ForceReschedule");
        o.put("ClientStatus", a.clientStatus);
        o.put("ClientDescription", a.clientDescription);
        o.set("TaskStates", taskStates(a));
        o.putNull("DeploymentStatus");
        o.put("FollowupEvalID", "");
        o.putNull("RescheduleTracker");
        o.put("CreateIndex", a.createIndex);
        o.put("ModifyIndex", a.modifyIndex);
        o.put("CreateTime", a.createTime);
        o.put("ModifyTime", a.modifyTime);
        return o;
    }

    private static ObjectNode taskStates(FakeNomadAllocation a) {
        String state = switch (a.clientStatus) {
            case "pending" -> "pending";
            case "running" -> "running";
            default -> "dead";
        };
        ObjectNode states = MAPPER.createObjectNode();
        for (FakeNomadJob.Task task : a.group.tasks) {
            ObjectNode s = states.putObject(task.name());
            s.put("State", state);
            s.put("Failed", "failed".equals(a.clientStatus));
            s.put("Restarts", 0);
            s.putNull("LastRestart");
            putTime(s, "StartedAt", a.startedAt);
            putTime(s, "FinishedAt", a.finishedAt);
            ArrayNode events = s.putArray("Events");
            for (FakeNomadAllocation.TaskEvent e : a.events) {
                ObjectNode event = events.addObject();
                event.put("Type", e.type());
                event.put("Time", e.time());
                event.put("DisplayMessage", e.displayMessage());
                event.putObject("Details");
                event.put("Message", "");
                event.put("FailsTask", e.failsTask());
                event.put("DriverError", e.driverError());
                event.put("ExitCode", 0);
                event.put("Signal", 0);
            }
        }
        return states;
    }

    private static void putTime(ObjectNode o, String field, Long nanos) {
        if (nanos == null) {
            o.putNull(field);
        } else {
            o.put(field, Instant.ofEpochSecond(0, nanos).toString());
        }
    }

    static JsonNode array(List<? extends JsonNode> items) {
        ArrayNode array = MAPPER.createArrayNode();
        items.forEach(array::add);
        return array;
    }
}
