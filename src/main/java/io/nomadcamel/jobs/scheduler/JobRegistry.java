package io.nomadcamel.jobs.scheduler;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;

/** The jobs this instance knows: from {@code jobs.<id>.*} properties and from the database (API jobs). */
public final class JobRegistry {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, JobDefinition> jobs = new ConcurrentHashMap<>();
    private final JobDefinitions definitions;

    public JobRegistry(JobDefinitions definitions) {
        this.definitions = definitions;
    }

    /**
     * The job types: each route file {@code <type>.camel.yaml} whose route starts {@code from: direct:<type>}. Other
     * direct routes (a job's sub-routes, such as node-cleanup's per-node route) are steps, not types.
     */
    public static Set<String> jobTypes(CamelContext camel) {
        Set<String> types = new java.util.TreeSet<>();
        for (Route route : camel.getRoutes()) {
            String uri = route.getEndpoint().getEndpointUri();
            String file = route.getSourceResource() == null ? null : route.getSourceResource().getLocation();
            if (uri.startsWith("direct://") && file != null) {
                String type = uri.substring("direct://".length());
                String name = file.substring(file.lastIndexOf('/') + 1);
                if (name.equals(type + ".camel.yaml")) {
                    types.add(type);
                }
            }
        }
        return types;
    }

    /** Reads {@code jobs.<id>.<field>} properties; any invalid job fails the whole load, naming job and field. */
    public void loadProperties(java.util.Properties all) {
        Map<String, Map<String, String>> byJob = new TreeMap<>();
        for (String key : all.stringPropertyNames()) {
            if (!key.startsWith("jobs.")) {
                continue;
            }
            String rest = key.substring("jobs.".length());
            int dot = rest.lastIndexOf('.');
            if (dot <= 0) {
                throw new InvalidJobException(rest, key, "is not of the form jobs.<id>.<field>");
            }
            byJob.computeIfAbsent(rest.substring(0, dot), k -> new LinkedHashMap<>())
                    .put(rest.substring(dot + 1), all.getProperty(key));
        }
        byJob.forEach((id, fields) -> {
            for (String field : fields.keySet()) {
                if (!PROPERTY_FIELDS.contains(field)) {
                    throw new InvalidJobException(id, "jobs." + id + "." + field, "is not a job field (fields: "
                            + PROPERTY_FIELDS + ")");
                }
            }
            jobs.put(id, definitions.fromProperties(id, fields));
        });
    }

    private static final Set<String> PROPERTY_FIELDS = Set.of("type", "mode", "cron", "every", "timeout", "queue",
            "input", "enabled", "catchup", "restart-delay", "max-attempts", "run-at-startup");

    /** Loads API jobs; one that no longer validates (its type was removed) is skipped and reported. */
    public List<String> loadStored(JobStore store) throws SQLException {
        List<String> problems = new ArrayList<>();
        for (JobStore.StoredJob stored : store.apiJobs()) {
            if (jobs.containsKey(stored.id())) {
                problems.add("job '" + stored.id() + "' from the API is shadowed by the properties job of that id");
                continue;
            }
            try {
                jobs.put(stored.id(), definitions.fromJson(JSON.readTree(stored.definition())));
            } catch (Exception e) {
                problems.add("stored API job '" + stored.id() + "' is not loaded: " + e.getMessage());
            }
        }
        return problems;
    }

    public JobDefinitions definitions() {
        return definitions;
    }

    public Optional<JobDefinition> find(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    public Collection<JobDefinition> all() {
        return new TreeMap<>(jobs).values();
    }

    /** Adds an API job; false if the id is taken. */
    public boolean add(JobDefinition job) {
        return jobs.putIfAbsent(job.id(), job) == null;
    }

    public void remove(String id) {
        jobs.remove(id);
    }
}
