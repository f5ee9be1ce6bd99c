package io.nomadcamel.jobs.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.nomad.NomadClient;
import io.nomadcamel.jobs.testsupport.FakeNomad;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/** The Nomad side of offline maintenance against the fake Nomad API: where a group runs, its count, its drain. */
class NomadGroupsTest {

    @RegisterExtension
    static final FakeNomad nomad = new FakeNomad();
    private NomadGroups groups;

    @BeforeEach
    void cluster() {
        nomad.reset();
        nomad.addNode("node-1", "10.0.0.11");
        nomad.addNode("node-2", "10.0.0.12");
        nomad.addJob("registry").group("registry", 1).task("registry", "docker", "registry:3");
        groups = new NomadGroups(new NomadClient(java.net.URI.create(nomad.url()), null,
                java.net.http.HttpClient.newHttpClient(), Duration.ofMillis(10), Duration.ofSeconds(10)));
    }

    @Test
    void theGroupIsFoundOnTheNodeOfItsRunningAllocation() {
        nomad.addAllocation("registry", "registry", "node-1", "complete");
        String running = nomad.runAllocation("registry", "registry", "node-2").id();

        NomadGroups.Placement where = groups.locate("registry", "registry");

        assertEquals("node-2", where.nodeName());
        assertEquals("10.0.0.12", where.nodeAddr());
        assertEquals(List.of(running), where.allocations());
        assertEquals(1, groups.count("registry", "registry"));
    }

    @Test
    void scalingToZeroDrainsAndBackRuns() throws Exception {
        nomad.runAllocation("registry", "registry", "node-1");

        groups.scale("registry", "registry", 0, "test: offline");
        nomad.awaitScaling(Duration.ofSeconds(10));
        assertEquals(0, groups.count("registry", "registry"));
        assertEquals(java.util.Set.of(), groups.active("registry", "registry"));

        groups.scale("registry", "registry", 1, "test: back");
        nomad.awaitScaling(Duration.ofSeconds(10));
        assertEquals(1, groups.running("registry", "registry").size());
        var body = new ObjectMapper().readTree(nomad.requests("POST", "/v1/job/registry/scale").get(0).body());
        assertEquals("registry", body.get("Target").get("Group").asText());
        assertEquals("test: offline", body.get("Message").asText());
    }

    @Test
    void nothingRunningUnknownJobsAndGroupsAreNamed() {
        assertMessage(() -> groups.locate("registry", "registry"), "has no running allocation");
        assertMessage(() -> groups.count("nope", "nope"), "Nomad job 'nope' not found");
        assertMessage(() -> groups.scale("nope", "nope", 0, "x"), "Nomad job 'nope' not found");
        assertMessage(() -> groups.count("registry", "other"), "has no task group 'other'");
        nomad.runAllocation("registry", "registry", "node-1");
        nomad.runAllocation("registry", "registry", "node-2");
        assertMessage(() -> groups.locate("registry", "registry"), "runs on 2 nodes");
    }

    @Test
    void theSshAddressFallsBackToTheHostOfHttpAddr() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals("10.1.2.3", NomadGroups.sshAddress(json.readTree(
                "{\"Name\":\"n\",\"HTTPAddr\":\"10.1.2.3:4646\",\"Attributes\":{}}")));
        assertEquals("fd00::1", NomadGroups.sshAddress(json.readTree("{\"Name\":\"n\",\"HTTPAddr\":\"[fd00::1]:4646\"}")));
        assertMessage(() -> NomadGroups.sshAddress(json.readTree("{\"Name\":\"n\"}")), "no address to reach it");
    }

    private static void assertMessage(Executable call, String expected) {
        Exception e = assertThrows(Exception.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
