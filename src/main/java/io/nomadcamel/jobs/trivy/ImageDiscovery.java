package io.nomadcamel.jobs.trivy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.nomad.NomadClient;

/**
 * The images to scan: those of docker-driver tasks in every task group of the jobs that have a running allocation
 * (design §5), de-duplicated literally and sorted. {@code GET /v1/allocations} lists the allocations of every
 * namespace; the job of a running one comes embedded in {@code GET /v1/allocation/<id>}. Allocations of the same job
 * version carry the same job, so one allocation per (namespace, job, version) is read: a job mid-deployment has two
 * versions and both are scanned.
 */
public final class ImageDiscovery {

    private final NomadClient nomad;

    public ImageDiscovery(NomadClient nomad) {
        this.nomad = nomad;
    }

    public List<String> images() {
        JsonNode allocations = nomad.get("/v1/allocations?namespace=*&task_states=false");
        if (!allocations.isArray()) {
            throw new IllegalStateException("Nomad GET /v1/allocations did not answer a list");
        }
        Map<String, JsonNode> onePerJobVersion = new LinkedHashMap<>();
        for (JsonNode stub : allocations) {
            if ("running".equals(stub.path("ClientStatus").asText())) {
                String key = stub.path("Namespace").asText("default") + "\0" + stub.path("JobID").asText() + "\0"
                        + stub.path("JobVersion").asText();
                onePerJobVersion.putIfAbsent(key, stub);
            }
        }
        TreeSet<String> images = new TreeSet<>();
        for (JsonNode stub : onePerJobVersion.values()) {
            String path = "/v1/allocation/" + NomadClient.segment(stub.path("ID").asText())
                    + "?namespace=" + NomadClient.segment(stub.path("Namespace").asText("default"));
            JsonNode allocation;
            try {
                allocation = nomad.get(path);
            } catch (io.nomadcamel.jobs.nomad.NomadException e) {
                if (e.notFound()) {
                    continue; // garbage-collected between the list and this read: it runs no more
                }
                throw e;
            }
            addDockerImages(allocation.path("Job"), images);
        }
        return List.copyOf(images);
    }

    /** Every docker task's {@code Config.image} in every task group of the job. */
    static void addDockerImages(JsonNode job, TreeSet<String> images) {
        for (JsonNode group : job.path("TaskGroups")) {
            for (JsonNode task : group.path("Tasks")) {
                JsonNode image = task.path("Config").path("image");
                if ("docker".equals(task.path("Driver").asText()) && image.isTextual() && !image.asText().isBlank()) {
                    images.add(image.asText().trim());
                }
            }
        }
    }
}
