package io.nomadcamel.jobs.maintenance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.nomad.NomadClient;
import io.nomadcamel.jobs.nomad.NomadException;

/**
 * The Nomad calls of offline maintenance, for one task group of one job: its count, where it runs, scaling it
 * ({@code POST /v1/job/<job>/scale} with Count, Target.Group and Message) and its allocations
 * ({@code GET /v1/job/<job>/allocations}). A 404 ("job not found") is permanent and says which job.
 */
public final class NomadGroups {

    private final NomadClient nomad;

    public NomadGroups(NomadClient nomad) {
        this.nomad = nomad;
    }

    /** Where the group's work happens: the node of its running allocation(s). */
    public record Placement(String nodeId, String nodeName, String nodeAddr, List<String> allocations) {
    }

    /** The group's Count in the job's current version. */
    public int count(String job, String group) {
        JsonNode spec = get("/v1/job/" + NomadClient.segment(job), job);
        for (JsonNode g : spec.path("TaskGroups")) {
            if (group.equals(g.path("Name").asText())) {
                return g.path("Count").asInt();
            }
        }
        List<String> names = new ArrayList<>();
        spec.path("TaskGroups").forEach(g -> names.add(g.path("Name").asText()));
        throw new MaintenanceException("Nomad job '" + job + "' has no task group '" + group + "' (group_name; it has "
                + names + ")");
    }

    /** The node the group runs on; fails if nothing runs or if it runs on several nodes. */
    public Placement locate(String job, String group) {
        Map<String, List<String>> byNode = new LinkedHashMap<>();
        for (JsonNode a : allocations(job)) {
            if (group.equals(a.path("TaskGroup").asText()) && running(a)) {
                byNode.computeIfAbsent(a.path("NodeID").asText(), n -> new ArrayList<>()).add(a.path("ID").asText());
            }
        }
        if (byNode.isEmpty()) {
            throw new MaintenanceException("Nomad job '" + job + "' group '" + group + "' has no running allocation: "
                    + "nothing to take offline");
        }
        if (byNode.size() > 1) {
            throw new MaintenanceException("Nomad job '" + job + "' group '" + group + "' runs on " + byNode.size()
                    + " nodes " + byNode.keySet() + "; offline maintenance needs it on one node");
        }
        String nodeId = byNode.keySet().iterator().next();
        JsonNode node = nomad.get("/v1/node/" + NomadClient.segment(nodeId));
        return new Placement(nodeId, node.path("Name").asText(nodeId), sshAddress(node),
                List.copyOf(byNode.get(nodeId)));
    }

    /** The node's address for SSH: {@code unique.network.ip-address}, else the host of HTTPAddr. */
    static String sshAddress(JsonNode node) {
        String ip = node.path("Attributes").path("unique.network.ip-address").asText("");
        if (!ip.isBlank()) {
            return ip;
        }
        String http = node.path("HTTPAddr").asText("");
        if (http.isBlank()) {
            throw new MaintenanceException("Nomad node '" + node.path("Name").asText() + "' has neither the attribute "
                    + "unique.network.ip-address nor an HTTPAddr: no address to reach it over SSH");
        }
        int colon = http.lastIndexOf(':'); // HTTPAddr is host:port, an IPv6 host in brackets
        String host = colon > 0 ? http.substring(0, colon) : http;
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** Sets the group's count; the message shows in Nomad's scaling events. */
    public void scale(String job, String group, int count, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Count", count);
        body.put("Target", Map.of("Group", group));
        body.put("Message", message);
        try {
            nomad.post("/v1/job/" + NomadClient.segment(job) + "/scale", body);
        } catch (NomadException e) {
            throw e.notFound() ? new MaintenanceException("Nomad job '" + job + "' not found: " + e.getMessage(), e)
                    : e;
        }
    }

    /** Allocations of the group that still run or are about to (whatever Nomad wants of them). */
    public Set<String> active(String job, String group) {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode a : allocations(job)) {
            String status = a.path("ClientStatus").asText();
            if (group.equals(a.path("TaskGroup").asText()) && ("running".equals(status) || "pending".equals(status))) {
                ids.add(a.path("ID").asText());
            }
        }
        return ids;
    }

    /** Allocations of the group that run and are meant to. */
    public List<String> running(String job, String group) {
        List<String> ids = new ArrayList<>();
        for (JsonNode a : allocations(job)) {
            if (group.equals(a.path("TaskGroup").asText()) && running(a)) {
                ids.add(a.path("ID").asText());
            }
        }
        return ids;
    }

    private static boolean running(JsonNode allocation) {
        return "running".equals(allocation.path("ClientStatus").asText())
                && "run".equals(allocation.path("DesiredStatus").asText());
    }

    private JsonNode allocations(String job) {
        return get("/v1/job/" + NomadClient.segment(job) + "/allocations", job);
    }

    private JsonNode get(String path, String job) {
        try {
            return nomad.get(path);
        } catch (NomadException e) {
            throw e.notFound() ? new MaintenanceException("Nomad job '" + job + "' not found: " + e.getMessage(), e)
                    : e;
        }
    }
}
