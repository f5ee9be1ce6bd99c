package io.nomadcamel.jobs.testsupport;

import static io.nomadcamel.jobs.testsupport.FakeNomadHttp.JSON;
import static io.nomadcamel.jobs.testsupport.FakeNomadHttp.assertKeysFromSamples;
import static io.nomadcamel.jobs.testsupport.FakeNomadHttp.assertPlainText;
import static io.nomadcamel.jobs.testsupport.FakeNomadHttp.body;
import static io.nomadcamel.jobs.testsupport.FakeNomadHttp.find;
import static io.nomadcamel.jobs.testsupport.FakeNomadHttp.fixture;
import static io.nomadcamel.jobs.testsupport.FakeNomadHttp.fixtureKeys;
import static io.nomadcamel.jobs.testsupport.FakeNomadHttp.ids;
import static io.nomadcamel.jobs.testsupport.FakeNomadHttp.keys;
import static io.nomadcamel.jobs.testsupport.FakeNomadHttp.union;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * FakeNomad's read endpoints answer in the shapes of the real samples (src/test/resources/fixtures/nomad), with
 * Nomad's errors. Scaling, faults, tokens and blocking queries: FakeNomadScalingTest.
 */
class FakeNomadTest {

    @RegisterExtension
    static final FakeNomad nomad = new FakeNomad();

    @BeforeEach
    void emptyCluster() {
        nomad.reset();
    }

    @Test
    void nodeListHasTheSampleFieldsAndNoFullAttributes() {
        FakeNomadNode first = nomad.addNode("node-1", "10.0.0.11");
        nomad.addNode("node-2", "10.0.0.12").down();

        HttpResponse<String> response = call("GET", "/v1/nodes", null, Map.of());
        JsonNode nodes = body(response);

        assertEquals(2, nodes.size());
        assertTrue(Long.parseLong(response.headers().firstValue("X-Nomad-Index").orElseThrow()) > 0);
        for (JsonNode node : nodes) {
            assertKeysFromSamples(node, fixtureKeys("GET_v1_nodes.response.json"), Set.of());
            assertTrue(keys(node).containsAll(Set.of("ID", "Name", "Status", "Address", "Datacenter", "NodeClass",
                    "Drain", "SchedulingEligibility", "CreateIndex", "ModifyIndex")), keys(node).toString());
            // as in Nomad: the stub has no HTTPAddr and no unique.* attributes (those need GET /v1/node/:id)
            assertFalse(node.has("Attributes"));
        }
        JsonNode firstStub = find(nodes, first.id());
        assertEquals("node-1", firstStub.get("Name").asText());
        assertEquals("10.0.0.11", firstStub.get("Address").asText());
        assertEquals("ready", firstStub.get("Status").asText());
        assertEquals("down", find(nodes, nomad.node("node-2").id()).get("Status").asText());

        JsonNode withOs = body(call("GET", "/v1/nodes?os=true", null, Map.of()));
        assertEquals(Map.of("os.name", "debian"), JSON.convertValue(withOs.get(0).get("Attributes"), Map.class));
        JsonNode byPrefix = body(call("GET", "/v1/nodes?prefix=" + first.id().substring(0, 8), null, Map.of()));
        assertEquals(List.of(first.id()), ids(byPrefix));
    }

    @Test
    void nodeDetailCarriesHttpAddrAndTheIpAttribute() {
        FakeNomadNode node = nomad.addNode("node-1", "10.0.0.11");

        JsonNode detail = body(call("GET", "/v1/node/" + node.id(), null, Map.of()));

        assertKeysFromSamples(detail, fixtureKeys("GET_v1_node_ID.response.json"), Set.of());
        assertEquals("10.0.0.11:4646", detail.get("HTTPAddr").asText());
        assertEquals("10.0.0.11", detail.get("Attributes").get("unique.network.ip-address").asText());

        node.attribute("unique.network.ip-address", null).httpAddr("10.0.0.99:4646");
        JsonNode changed = body(call("GET", "/v1/node/" + node.id(), null, Map.of()));
        assertFalse(changed.get("Attributes").has("unique.network.ip-address"));
        assertEquals("10.0.0.99:4646", changed.get("HTTPAddr").asText());
        assertTrue(changed.get("ModifyIndex").asLong() > detail.get("ModifyIndex").asLong());
    }

    @Test
    void nodeAllocationsListOnlyThatNodesAllocationsWithTheirJob() {
        FakeNomadNode node1 = nomad.addNode("node-1", "10.0.0.11");
        nomad.addNode("node-2", "10.0.0.12");
        nomad.addJob("web").group("web", 2).task("server", "docker", "nginx:1.25");
        nomad.addJob("sweep").type("batch").group("sweep", 1).task("rm", "exec", Map.of("command", "/bin/true"));
        FakeNomadAllocation web0 = nomad.runAllocation("web", "web", "node-1");
        FakeNomadAllocation web1 = nomad.runAllocation("web", "web", "node-2");
        FakeNomadAllocation sweep = nomad.addAllocation("sweep", "sweep", "node-1", "complete");

        JsonNode onNode1 = body(call("GET", "/v1/node/" + node1.id() + "/allocations", null, Map.of()));

        assertEquals(Set.of(web0.id(), sweep.id()), new HashSet<>(ids(onNode1)));
        Set<String> fullAllocationKeys = union(fixtureKeys("GET_v1_node_ID_allocations.response.json"),
                fixtureKeys("GET_v1_allocation_ID.response.json"));
        for (JsonNode alloc : onNode1) {
            assertKeysFromSamples(alloc, fullAllocationKeys, Set.of("NodeName"));
            assertEquals(node1.id(), alloc.get("NodeID").asText());
            assertEquals(alloc.get("JobID").asText(), alloc.get("Job").get("ID").asText());
        }
        assertEquals("running", find(onNode1, web0.id()).get("ClientStatus").asText());
        assertEquals("complete", find(onNode1, sweep.id()).get("ClientStatus").asText());
        assertEquals("web.web[0]", web0.name());
        assertEquals("web.web[1]", web1.name());
        // Nomad lists no allocations for a node it does not know, rather than answering 404
        assertEquals(0, body(call("GET", "/v1/node/no-such-node/allocations", null, Map.of())).size());
    }

    @Test
    void allocationDetailEmbedsTheJobWithItsTaskConfigs() {
        nomad.addNode("node-1", "10.0.0.11");
        nomad.addJob("web").group("web", 1).task("server", "docker", "nginx:1.25").task("agent", "exec");
        FakeNomadAllocation alloc = nomad.runAllocation("web", "web", "node-1");

        JsonNode stubs = body(call("GET", "/v1/allocations", null, Map.of()));
        JsonNode stub = stubs.get(0);
        assertKeysFromSamples(stub, union(fixtureKeys("GET_v1_allocations.response.json"),
                fixtureKeys("GET_v1_job_ID_allocations.response.json")), Set.of());
        assertFalse(stub.has("Job"));
        assertEquals("running", stub.get("TaskStates").get("server").get("State").asText());
        assertEquals("node-1", stub.get("NodeName").asText());

        JsonNode detail = body(call("GET", "/v1/allocation/" + alloc.id(), null, Map.of()));
        JsonNode job = detail.get("Job");
        assertKeysFromSamples(job, jobSampleKeys(), Set.of());
        JsonNode tasks = job.get("TaskGroups").get(0).get("Tasks");
        assertKeysFromSamples(tasks.get(0), taskSampleKeys(), Set.of());
        assertEquals("docker", tasks.get(0).get("Driver").asText());
        assertEquals("nginx:1.25", tasks.get(0).get("Config").get("image").asText());
        assertEquals("exec", tasks.get(1).get("Driver").asText());
        assertFalse(tasks.get(1).get("Config").has("image"));
        assertEquals("web.web[0]", detail.get("Name").asText());
    }

    @Test
    void jobEndpointsDescribeJobsAndTheirGroups() {
        nomad.addNode("node-1", "10.0.0.11");
        nomad.addJob("web").group("web", 2).task("server", "docker", "nginx:1.25");
        nomad.addJob("db").group("db", 1).task("postgres", "docker", "postgres:15");
        nomad.placeAllocations("web", "node-1");

        JsonNode jobs = body(call("GET", "/v1/jobs", null, Map.of()));
        assertEquals(List.of("db", "web"), ids(jobs)); // Nomad lists by ID
        assertKeysFromSamples(jobs.get(0), fixtureKeys("GET_v1_jobs.response.json"), Set.of("Namespace"));
        assertEquals("running", find(jobs, "web").get("Status").asText());
        assertEquals("pending", find(jobs, "db").get("Status").asText()); // wanted, never placed
        assertEquals(2, find(jobs, "web").get("JobSummary").get("Summary").get("web").get("Running").asInt());
        assertEquals(List.of("db"), ids(body(call("GET", "/v1/jobs?prefix=d", null, Map.of()))));

        JsonNode job = body(call("GET", "/v1/job/web", null, Map.of()));
        assertKeysFromSamples(job, jobSampleKeys(), Set.of());
        assertEquals(2, job.get("TaskGroups").get(0).get("Count").asInt());

        JsonNode summary = body(call("GET", "/v1/job/web/summary", null, Map.of()));
        assertKeysFromSamples(summary, fixtureKeys("GET_v1_job_ID_summary.response.json"), Set.of("Namespace"));
        assertEquals(2, summary.get("Summary").get("web").get("Running").asInt());
        assertEquals(1, body(call("GET", "/v1/job/db/summary", null, Map.of()))
                .get("Summary").get("db").get("Queued").asInt());

        JsonNode scale = body(call("GET", "/v1/job/web/scale", null, Map.of()));
        assertKeysFromSamples(scale, fixtureKeys("GET_v1_job_ID_scale.response.json"), Set.of());
        assertEquals(2, scale.get("TaskGroups").get("web").get("Desired").asInt());
        assertEquals(2, scale.get("TaskGroups").get("web").get("Running").asInt());

        JsonNode jobAllocs = body(call("GET", "/v1/job/web/allocations", null, Map.of()));
        assertEquals(Set.of("web.web[0]", "web.web[1]"),
                Set.copyOf(StreamSupport.stream(jobAllocs.spliterator(), false).map(a -> a.get("Name").asText())
                        .toList()));
    }

    @Test
    void unknownIdsGetNomadsNotFoundTexts() {
        nomad.addJob("web").group("web", 1).task("server", "docker", "nginx:1.25");

        assertPlainText(404, "job not found", call("GET", "/v1/job/nope", null, Map.of()));
        assertPlainText(404, "job not found", call("GET", "/v1/job/nope/summary", null, Map.of()));
        assertPlainText(404, "job not found", call("GET", "/v1/job/nope/scale", null, Map.of()));
        assertPlainText(404, "job \"nope\" not found", call("POST", "/v1/job/nope/scale",
                "{\"Count\":1,\"Target\":{\"Group\":\"web\"}}", Map.of()));
        assertPlainText(400, "task group \"nope\" specified for scaling does not exist in job",
                call("POST", "/v1/job/web/scale", "{\"Count\":1,\"Target\":{\"Group\":\"nope\"}}", Map.of()));
        assertPlainText(404, "alloc not found", call("GET", "/v1/allocation/nope", null, Map.of()));
        assertPlainText(404, "node not found", call("GET", "/v1/node/nope", null, Map.of()));
        assertEquals("[]", call("GET", "/v1/job/nope/allocations", null, Map.of()).body());
        HttpResponse<String> unknownPath = call("GET", "/v1/nothing-here", null, Map.of());
        assertEquals(404, unknownPath.statusCode());
        assertEquals("", unknownPath.body());
    }

    @Test
    void wrongMethodsGet405AndUnimplementedEndpoints501() {
        nomad.addNode("node-1", "10.0.0.11");
        nomad.addJob("web").group("web", 1).task("server", "docker", "nginx:1.25");
        FakeNomadAllocation alloc = nomad.runAllocation("web", "web", "node-1");

        assertPlainText(405, "Invalid method", call("DELETE", "/v1/nodes", null, Map.of()));
        assertPlainText(405, "Invalid method", call("POST", "/v1/allocations", "{}", Map.of()));
        assertPlainText(405, "Invalid method", call("PUT", "/v1/allocation/" + alloc.id(), "{}", Map.of()));
        assertPlainText(405, "Invalid method", call("DELETE", "/v1/job/web/scale", null, Map.of()));
        assertPlainText(405, "Invalid method", call("POST", "/v1/job/web/allocations", "{}", Map.of()));
        // real endpoints the fake lacks must not look like success, nor like a missing job/node/alloc
        assertEquals(501, call("POST", "/v1/job/web", "{}", Map.of()).statusCode());
        assertEquals(501, call("POST", "/v1/allocation/" + alloc.id() + "/stop", "{}", Map.of()).statusCode());
        assertEquals(501, call("POST", "/v1/node/x/drain", "{}", Map.of()).statusCode());
    }

    private static HttpResponse<String> call(String method, String path, String body, Map<String, String> headers) {
        return FakeNomadHttp.call(nomad, method, path, body, headers);
    }

    private static Set<String> jobSampleKeys() {
        return union(fixtureKeys("GET_v1_job_ID.response.json"),
                keys(fixture("GET_v1_node_ID_allocations.response.json").get(0).get("Job")),
                keys(fixture("GET_v1_allocation_ID.response.json").get("Job")));
    }

    private static Set<String> taskSampleKeys() {
        return union(keys(fixture("GET_v1_job_ID.response.json").get("TaskGroups").get(0).get("Tasks").get(1)),
                keys(fixture("GET_v1_allocation_ID.response.json").get("Job").get("TaskGroups").get(0)
                        .get("Tasks").get(0)));
    }

    @Test
    void samplesAreOnTheTestClasspath() {
        // the shape checks above compare against these; an empty sample would make them pass vacuously
        for (String file : List.of("GET_v1_nodes.response.json", "GET_v1_node_ID.response.json",
                "GET_v1_allocations.response.json", "GET_v1_allocation_ID.response.json",
                "GET_v1_node_ID_allocations.response.json", "GET_v1_jobs.response.json",
                "GET_v1_job_ID.response.json", "GET_v1_job_ID_summary.response.json",
                "GET_v1_job_ID_scale.response.json", "POST_v1_job_ID_scale.response.json")) {
            assertTrue(fixtureKeys(file).size() >= 5, file);
        }
        assertNotEquals(fixtureKeys("GET_v1_nodes.response.json"), fixtureKeys("GET_v1_node_ID.response.json"));
    }
}
