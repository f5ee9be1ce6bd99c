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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The jobs this instance knows: from {@code jobs.<id>.*} properties and from the database (API jobs). */
public final class JobRegistry {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Logger LOG = LoggerFactory.getLogger(JobRegistry.class);

    private final Map<String, JobDefinition> jobs = new ConcurrentHashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final Set<String> unloadable = ConcurrentHashMap.newKeySet();
    private volatile JobStore store;
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

    /**
     * Brings the API jobs in line with the jobs table, which every instance shares: jobs created on another instance
     * are added, jobs deleted there are removed; properties jobs are never touched. Returns the problems not reported
     * before: a stored job this instance cannot load (its type is unknown here), or one a properties job shadows.
     */
    public List<String> syncStored(JobStore store) throws SQLException {
        Map<String, String> stored = new LinkedHashMap<>();
        for (JobStore.StoredJob job : store.apiJobs()) {
            stored.put(job.id(), job.definition());
        }
        jobs.values().removeIf(job -> job.source() == JobDefinition.Source.API && !stored.containsKey(job.id()));
        List<String> problems = new ArrayList<>();
        unloadable.retainAll(stored.keySet());
        stored.forEach((id, definition) -> {
            JobDefinition present = jobs.get(id);
            if (present != null) {
                if (present.source() == JobDefinition.Source.PROPERTIES) {
                    report(problems, "job '" + id + "' from the API is shadowed by the properties job of that id");
                }
                return;
            }
            try {
                jobs.putIfAbsent(id, definitions.fromJson(JSON.readTree(definition)));
                unloadable.remove(id);
            } catch (Exception e) {
                unloadable.add(id);
                report(problems, "stored API job '" + id + "' is not loaded on this instance: " + e.getMessage());
            }
        });
        return problems;
    }

    private void report(List<String> problems, String problem) {
        if (reported.add(problem)) {
            problems.add(problem);
        }
    }

    public JobDefinitions definitions() {
        return definitions;
    }

    /**
     * The job; one this instance does not know yet is looked up in the jobs table (another instance may have just
     * created it) before the answer is "no such job".
     */
    public Optional<JobDefinition> find(String id) {
        JobDefinition job = jobs.get(id);
        if (job == null && store != null && !unloadable.contains(id)) {
            try {
                syncStored(store).forEach(LOG::warn);
            } catch (SQLException e) {
                LOG.warn("Could not read the stored API jobs: {}", e.getMessage());
            }
            job = jobs.get(id);
        }
        return Optional.ofNullable(job);
    }

    /**
     * A job stored in the jobs table that this instance cannot load (its type is unknown here), as of the last sync:
     * its runs are left to the instances that can run them, and looking it up does not read the table again.
     */
    public boolean storedButNotLoadable(String id) {
        return unloadable.contains(id);
    }

    /** Where API jobs are stored: from now on, an unknown id is looked up there. */
    public void attach(JobStore store) {
        this.store = store;
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
