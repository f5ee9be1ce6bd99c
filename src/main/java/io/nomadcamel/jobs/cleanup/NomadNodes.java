package io.nomadcamel.jobs.cleanup;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.nomad.NomadClient;

/**
 * What node-cleanup reads from the central Nomad API (the token never leaves this process): the ready client nodes,
 * each node's SSH address and the jobs active (running or starting) on it.
 */
public final class NomadNodes {

    /** A ready node as {@code GET /v1/nodes} lists it. */
    public record Node(String id, String name) {
    }

    /** The address the job dials and which the node's host certificate must name. */
    public record Address(String host, String source) {
    }

    static final String IP_ATTRIBUTE = "unique.network.ip-address";

    private final NomadClient nomad;

    public NomadNodes(NomadClient nomad) {
        this.nomad = nomad;
    }

    /** Nodes with Status "ready", by name; draining or ineligible nodes are ready too and get cleaned. */
    public List<Node> readyNodes() {
        List<Node> nodes = new ArrayList<>();
        for (JsonNode stub : nomad.get("/v1/nodes")) {
            if ("ready".equals(stub.path("Status").asText())) {
                nodes.add(new Node(stub.path("ID").asText(), stub.path("Name").asText()));
            }
        }
        nodes.sort(Comparator.comparing(Node::name).thenComparing(Node::id));
        return nodes;
    }

    /**
     * The node's {@code unique.network.ip-address} attribute, else the host of its HTTPAddr. Only
     * {@code GET /v1/node/<id>} carries them; the list's stubs have neither.
     */
    public Address address(Node node) {
        JsonNode detail = nomad.get("/v1/node/" + NomadClient.segment(node.id()));
        String ip = detail.path("Attributes").path(IP_ATTRIBUTE).asText("").strip();
        if (!ip.isEmpty()) {
            return new Address(ip, "attribute " + IP_ATTRIBUTE);
        }
        String host = hostOf(detail.path("HTTPAddr").asText("").strip());
        if (host.isEmpty()) {
            throw new IllegalStateException("Nomad knows no address for node " + node.name() + ": neither the "
                    + IP_ATTRIBUTE + " attribute nor HTTPAddr is set");
        }
        return new Address(host, "HTTPAddr");
    }

    /**
     * Allocation ClientStatus values whose job still owns its dirs on the node: {@code running}; {@code pending}, an
     * allocation placed and starting, or restarting (a job being deployed or restarted needs its dirs most); and
     * {@code unknown}, an allocation of a node that lost contact, which Nomad may resume as it was. DesiredStatus does
     * not matter: an allocation told to stop still runs until the client has stopped it. The terminal statuses
     * (complete, failed, lost) leave the dirs to the cleanup.
     */
    static final Set<String> ACTIVE_CLIENT_STATUSES = Set.of("running", "pending", "unknown");

    /** Ids of the jobs with an active allocation on the node; any failure to read them is an exception. */
    public Set<String> activeJobs(Node node) {
        JsonNode allocations = nomad.get("/v1/node/" + NomadClient.segment(node.id()) + "/allocations");
        if (!allocations.isArray()) {
            throw new IllegalStateException("Nomad answered the allocations of node " + node.name()
                    + " with something other than a list");
        }
        Set<String> jobs = new TreeSet<>();
        for (JsonNode allocation : allocations) {
            String status = allocation.path("ClientStatus").asText("");
            if (ACTIVE_CLIENT_STATUSES.contains(status)) {
                String job = allocation.path("JobID").asText("");
                if (job.isEmpty()) {
                    throw new IllegalStateException("a " + status + " allocation on node " + node.name()
                            + " has no JobID");
                }
                jobs.add(job);
            }
        }
        return jobs;
    }

    /** "10.0.0.5:4646" → "10.0.0.5", "[fd00::5]:4646" → "fd00::5", "node-5" → "node-5". */
    static String hostOf(String hostPort) {
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            return end < 0 ? hostPort : hostPort.substring(1, end);
        }
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 || hostPort.indexOf(':') != colon ? hostPort : hostPort.substring(0, colon);
    }
}
