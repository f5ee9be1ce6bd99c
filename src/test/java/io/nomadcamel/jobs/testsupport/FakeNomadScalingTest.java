package io.nomadcamel.jobs.testsupport;

import static io.nomadcamel.jobs.testsupport.FakeNomadHttp.assertPlainText;
import static io.nomadcamel.jobs.testsupport.FakeNomadHttp.body;
import static io.nomadcamel.jobs.testsupport.FakeNomadHttp.fixtureKeys;
import static io.nomadcamel.jobs.testsupport.FakeNomadHttp.keys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Scaling really moves FakeNomad's allocations; faults, tokens, bad bodies and blocking queries behave as Nomad's. */
class FakeNomadScalingTest {

    @RegisterExtension
    static final FakeNomad nomad = new FakeNomad();

    private static final Duration SETTLE = Duration.ofSeconds(10);
    private final List<String> scaleCalls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void registryOnOneNode() {
        nomad.reset();
        nomad.addNode("node-1", "10.0.0.11");
        nomad.addNode("node-2", "10.0.0.12");
        nomad.addJob("registry").group("registry", 1).task("registry", "docker", "registry:3");
        nomad.onScale("registry", (group, from, to) -> scaleCalls.add(group + ":" + from + "->" + to));
    }

    @Test
    void scalingDownStopsTheAllocationAfterTheListener() {
        FakeNomadAllocation running = nomad.runAllocation("registry", "registry", "node-2");
        nomad.allocationDelays(Duration.ofMillis(300), Duration.ZERO);

        HttpResponse<String> response = scale("registry", "{\"Count\":0,\"Target\":{\"Group\":\"registry\"},"
                + "\"Message\":\"registry gc\",\"Meta\":{\"run\":\"42\"}}", Map.of());

        JsonNode answer = body(response);
        assertEquals(fixtureKeys("POST_v1_job_ID_scale.response.json"), keys(answer));
        assertFalse(answer.get("EvalID").asText().isEmpty());
        assertEquals(answer.get("EvalCreateIndex").asLong(), answer.get("Index").asLong());
        assertTrue(answer.get("JobModifyIndex").asLong() < answer.get("Index").asLong());
        assertEquals(answer.get("Index").asText(), response.headers().firstValue("X-Nomad-Index").orElseThrow());
        // the scheduler wants it stopped at once; the client reports it stopped only after the stop delay
        JsonNode stopping = allocation(running.id());
        assertEquals("stop", stopping.get("DesiredStatus").asText());
        assertEquals("running", stopping.get("ClientStatus").asText());

        nomad.awaitScaling(SETTLE);

        assertEquals(List.of("registry:1->0"), scaleCalls);
        JsonNode stopped = allocation(running.id());
        assertEquals("complete", stopped.get("ClientStatus").asText());
        assertEquals("dead", stopped.get("TaskStates").get("registry").get("State").asText());
        JsonNode summary = body(FakeNomadHttp.call(nomad, "GET", "/v1/job/registry/summary", null, Map.of()));
        assertEquals(0, summary.get("Summary").get("registry").get("Running").asInt());
        assertEquals(1, summary.get("Summary").get("registry").get("Complete").asInt());
        JsonNode group = body(FakeNomadHttp.call(nomad, "GET", "/v1/job/registry/scale", null, Map.of()))
                .get("TaskGroups").get("registry");
        assertEquals(0, group.get("Desired").asInt());
        JsonNode event = group.get("Events").get(0);
        assertEquals("registry gc", event.get("Message").asText());
        assertEquals(1, event.get("PreviousCount").asInt());
        assertEquals(0, event.get("Count").asInt());
        assertEquals("42", event.get("Meta").get("run").asText());
        assertEquals(answer.get("EvalID").asText(), event.get("EvalID").asText());
    }

    @Test
    void scalingUpRunsANewAllocationOnTheLastNodeOnlyAfterTheListenerReturns() throws Exception {
        FakeNomadAllocation old = nomad.runAllocation("registry", "registry", "node-2");
        body(scale("registry", "{\"Count\":0,\"Target\":{\"Group\":\"registry\"}}", Map.of()));
        nomad.awaitScaling(SETTLE);
        CountDownLatch startRegistry = new CountDownLatch(1);
        nomad.onScale("registry", (group, from, to) -> {
            if (to == 1 && !startRegistry.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test never released the start");
            }
        });

        body(scale("registry", "{\"Count\":1,\"Target\":{\"Group\":\"registry\"}}", Map.of()));

        FakeNomadAllocation fresh = nomad.allocations("registry").stream().filter(a -> !a.id().equals(old.id()))
                .findFirst().orElseThrow();
        assertEquals("pending", allocation(fresh.id()).get("ClientStatus").asText(), "listener still running");
        startRegistry.countDown();
        nomad.awaitScaling(SETTLE);
        JsonNode started = allocation(fresh.id());
        assertEquals("running", started.get("ClientStatus").asText());
        assertEquals("run", started.get("DesiredStatus").asText());
        assertEquals(nomad.node("node-2").id(), started.get("NodeID").asText());
        assertEquals("registry.registry[0]", started.get("Name").asText());
        assertTrue(started.get("CreateIndex").asLong() > allocation(old.id()).get("CreateIndex").asLong());
        assertEquals(List.of("registry:1->0", "registry:0->1"), scaleCalls);
    }

    @Test
    void aFailingStartListenerFailsTheNewAllocation() {
        nomad.addJob("web").group("web", 0).task("server", "docker", "nginx:1.25");
        nomad.onScale("web", (group, from, to) -> {
            throw new IllegalStateException("port 5000 in use");
        });

        body(scale("web", "{\"Count\":1,\"Target\":{\"Group\":\"web\"}}", Map.of()));
        nomad.awaitScaling(SETTLE);

        FakeNomadAllocation alloc = nomad.allocations("web").get(0);
        assertEquals("failed", alloc.clientStatus());
        assertEquals("node-1", alloc.nodeName()); // never ran before: the first ready node
        assertEquals(1, nomad.listenerFailures().size());
        assertTrue(allocation(alloc.id()).get("TaskStates").get("server").get("Failed").asBoolean());
    }

    @Test
    void neverDrainAcceptsTheScaleDownButKeepsRunning() {
        FakeNomadAllocation running = nomad.runAllocation("registry", "registry", "node-1");
        nomad.neverDrain("registry");

        body(scale("registry", "{\"Count\":0,\"Target\":{\"Group\":\"registry\"}}", Map.of()));
        nomad.awaitScaling(SETTLE);

        JsonNode alloc = allocation(running.id());
        assertEquals("stop", alloc.get("DesiredStatus").asText());
        assertEquals("running", alloc.get("ClientStatus").asText());
        assertEquals(List.of(), scaleCalls, "the process must not be stopped");
        assertEquals(0, nomad.groupCount("registry", "registry"));
    }

    @Test
    void injectedFailuresComeFirstThenTheRealApiAnswers() {
        nomad.runAllocation("registry", "registry", "node-1");
        nomad.failNext("POST", "/v1/job/registry/scale", 2, 500, "No cluster leader");
        String up = "{\"Count\":2,\"Target\":{\"Group\":\"registry\"}}";

        assertPlainText(500, "No cluster leader", scale("registry", up, Map.of()));
        assertEquals(1, nomad.groupCount("registry", "registry"), "a refused call must not change anything");
        assertPlainText(500, "No cluster leader", scale("registry", up, Map.of()));
        body(FakeNomadHttp.call(nomad, "GET", "/v1/job/registry", null, Map.of())); // other paths unaffected
        body(scale("registry", up, Map.of()));

        assertEquals(2, nomad.groupCount("registry", "registry"));
        assertEquals(3, nomad.requests("POST", "/v1/job/registry/scale").size());
        assertEquals(1, body(FakeNomadHttp.call(nomad, "GET", "/v1/job/registry/scale", null, Map.of()))
                .get("TaskGroups").get("registry").get("Events").size());
    }

    @Test
    void aConfiguredTokenIsRequiredAndLogged() {
        nomad.requireToken("s3cret");
        String down = "{\"Count\":0,\"Target\":{\"Group\":\"registry\"}}";

        assertPlainText(403, "Permission denied", FakeNomadHttp.call(nomad, "GET", "/v1/nodes", null, Map.of()));
        assertPlainText(403, "ACL token not found",
                FakeNomadHttp.call(nomad, "GET", "/v1/nodes", null, Map.of("X-Nomad-Token", "wrong")));
        assertPlainText(403, "Permission denied", scale("registry", down, Map.of()));
        assertEquals(1, nomad.groupCount("registry", "registry"));
        body(FakeNomadHttp.call(nomad, "GET", "/v1/nodes", null, Map.of("X-Nomad-Token", "s3cret")));
        body(FakeNomadHttp.call(nomad, "GET", "/v1/nodes", null, Map.of("Authorization", "Bearer s3cret")));
        body(scale("registry", down, Map.of("X-Nomad-Token", "s3cret")));

        List<FakeNomad.RecordedRequest> log = nomad.requests();
        assertEquals(6, log.size());
        assertNull(log.get(0).nomadToken());
        assertEquals("wrong", log.get(1).nomadToken());
        assertEquals("s3cret", log.get(5).nomadToken());
        assertEquals(down, log.get(5).body());
        assertEquals(0, nomad.groupCount("registry", "registry"));
    }

    @Test
    void malformedScaleBodiesAre400WithGoDecoderMessages() {
        assertPlainText(400, "invalid character 'C' looking for beginning of object key string",
                scale("registry", "{Count: 0}", Map.of()));
        assertPlainText(400, "unexpected EOF", scale("registry", "{\"Count\":0,\"Target\":{", Map.of()));
        assertPlainText(400, "Request body is empty", scale("registry", "", Map.of()));
        assertPlainText(400, "json: cannot unmarshal string into Go struct field ScalingRequest.Count of type int64",
                scale("registry", "{\"Count\":\"zero\",\"Target\":{\"Group\":\"registry\"}}", Map.of()));
        assertPlainText(400, "missing task group name for scaling action",
                scale("registry", "{\"Count\":0,\"Target\":{\"group\":\"registry\"}}", Map.of()));
        assertPlainText(400, "scaling action count can't be negative",
                scale("registry", "{\"Count\":-1,\"Target\":{\"Group\":\"registry\"}}", Map.of()));
        assertPlainText(400, "job ID in payload did not match URL",
                scale("registry", "{\"Count\":0,\"Target\":{\"Group\":\"registry\",\"Job\":\"web\"}}", Map.of()));
        assertEquals(1, nomad.groupCount("registry", "registry"));

        // Go matches struct field names case-insensitively, so this one is accepted
        body(scale("registry", "{\"count\":0,\"target\":{\"Group\":\"registry\"}}", Map.of()));
        assertEquals(0, nomad.groupCount("registry", "registry"));
    }

    @Test
    void blockingQueriesWaitForTheIndexToMove() throws Exception {
        nomad.runAllocation("registry", "registry", "node-1");
        HttpResponse<String> first = FakeNomadHttp.call(nomad, "GET", "/v1/job/registry/allocations", null, Map.of());
        String index = first.headers().firstValue("X-Nomad-Index").orElseThrow();

        long started = System.nanoTime();
        HttpResponse<String> timedOut = FakeNomadHttp.call(nomad, "GET",
                "/v1/job/registry/allocations?index=" + index + "&wait=300ms", null, Map.of());
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(250), "returned before the wait");
        assertEquals(index, timedOut.headers().firstValue("X-Nomad-Index").orElseThrow());

        CompletableFuture<HttpResponse<String>> blocked = CompletableFuture.supplyAsync(() -> FakeNomadHttp.call(
                nomad, "GET", "/v1/job/registry/allocations?index=" + index + "&wait=30s", null, Map.of()));
        Thread.sleep(200);
        assertFalse(blocked.isDone(), "nothing changed yet");
        body(scale("registry", "{\"Count\":0,\"Target\":{\"Group\":\"registry\"}}", Map.of()));
        HttpResponse<String> woken = blocked.get(10, TimeUnit.SECONDS);
        assertNotEquals(index, woken.headers().firstValue("X-Nomad-Index").orElseThrow());
        assertEquals("stop", body(woken).get(0).get("DesiredStatus").asText());
        assertPlainText(400, "Invalid wait time", FakeNomadHttp.call(nomad, "GET",
                "/v1/job/registry/allocations?index=1&wait=soon", null, Map.of()));
    }

    private static HttpResponse<String> scale(String job, String body, Map<String, String> headers) {
        return FakeNomadHttp.call(nomad, "POST", "/v1/job/" + job + "/scale", body, headers);
    }

    private static JsonNode allocation(String id) {
        return body(FakeNomadHttp.call(nomad, "GET", "/v1/allocation/" + id, null, Map.of()));
    }
}
