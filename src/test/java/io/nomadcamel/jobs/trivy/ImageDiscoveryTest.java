package io.nomadcamel.jobs.trivy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.nomadcamel.jobs.nomad.NomadClient;
import io.nomadcamel.jobs.nomad.NomadException;
import io.nomadcamel.jobs.testsupport.FakeNomad;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Which images a run scans, from a fake Nomad cluster with every kind of allocation and task. */
class ImageDiscoveryTest {

    @RegisterExtension
    static final FakeNomad nomad = new FakeNomad();

    private ImageDiscovery discovery;

    @BeforeEach
    void cluster() {
        nomad.reset();
        discovery = new ImageDiscovery(new NomadClient(URI.create(nomad.url()), null, HttpClient.newHttpClient(),
                Duration.ofMillis(10), Duration.ofSeconds(5)));
        nomad.addNode("n1", "10.0.0.1");
    }

    @Test
    void dockerImagesOfEveryGroupOfJobsWithARunningAllocationDeduplicatedAndSorted() {
        nomad.addJob("web").group("web", 2).task("server", "docker", "nginx:1.25")
                .task("envoy", "docker", "envoyproxy/envoy:v1.29")
                .group("cache", 1).task("redis", "docker", "redis:7");
        nomad.runAllocation("web", "web", "n1");
        nomad.runAllocation("web", "web", "n1"); // same job version: read once
        nomad.addJob("api").group("api", 1).task("server", "docker", "nginx:1.25")
                .task("migrate", "exec").task("agent", "raw_exec", Map.of("command", "/usr/bin/agent"));
        nomad.runAllocation("api", "api", "n1");
        nomad.addJob("private").group("app", 1).task("app", "docker", "registry.local:5000/team/api:7");
        nomad.runAllocation("private", "app", "n1");
        nomad.addJob("podman-job").group("p", 1).task("p", "podman", "quay.io/other/app:1");
        nomad.runAllocation("podman-job", "p", "n1");
        nomad.addJob("batch").group("b", 1).task("b", "docker", "alpine:3.9");
        nomad.addAllocation("batch", "b", "n1", "complete");
        nomad.addJob("broken").group("b", 1).task("b", "docker", "ghost:1");
        nomad.addAllocation("broken", "b", "n1", "failed");
        nomad.addJob("starting").group("s", 1).task("s", "docker", "pending/app:1");
        nomad.addAllocation("starting", "s", "n1", "pending");

        assertEquals(List.of("envoyproxy/envoy:v1.29", "nginx:1.25", "redis:7", "registry.local:5000/team/api:7"),
                discovery.images(), "the cache group has no allocation of its own, but its job runs");

        List<FakeNomad.RecordedRequest> lists = nomad.requests("GET", "/v1/allocations");
        assertEquals(1, lists.size());
        assertTrue(lists.get(0).query().contains("namespace=*"), lists.get(0).query());
        assertEquals(4, nomad.requests("GET", "/v1/allocation/.*").size(),
                "one read per running job version (web, api, private, podman-job): " + nomad.requests());
    }

    @Test
    void anAllocationGoneBetweenTheListAndItsReadIsSkipped() {
        nomad.addJob("a").group("a", 1).task("a", "docker", "a:1");
        nomad.runAllocation("a", "a", "n1");
        nomad.addJob("b").group("b", 1).task("b", "docker", "b:1");
        nomad.runAllocation("b", "b", "n1");
        nomad.failNext("GET", "/v1/allocation/.*", 1, 404, "alloc not found");
        assertEquals(1, discovery.images().size());
    }

    @Test
    void aClusterWithNothingRunningHasNoImages() {
        assertEquals(List.of(), discovery.images());
    }

    @Test
    void nomadFailingAfterItsRetriesFailsDiscovery() {
        nomad.failNext("GET", "/v1/allocations", 4, 500, "rpc error: No cluster leader");
        NomadException e = assertThrows(NomadException.class, discovery::images);
        assertTrue(e.getMessage().contains("No cluster leader"), e.getMessage());
        assertEquals(4, nomad.requests("GET", "/v1/allocations").size(), "first try and 3 retries");
    }
}
