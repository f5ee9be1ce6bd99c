package io.nomadcamel.jobs.scheduler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

import io.nomadcamel.jobs.Settings;

/**
 * The declared job types ({@link JobType}, one per job package) and what the scheduler asks of them: is this input
 * the type's, is this job ready. Declared in Java ({@code ServiceLoader}) or, for a YAML-only job, as a bean of its
 * route file. A route type that declares none (a test route, an operator's experiment) takes any
 * JSON object and is always ready; {@code JobTypesContractTest} keeps every shipped route type declared.
 */
public final class JobTypes {

    private final Map<String, JobType> declared;
    private final Settings settings;

    public JobTypes(List<JobType> declared, Settings settings) {
        Map<String, JobType> byType = new TreeMap<>();
        for (JobType t : declared) {
            if (byType.putIfAbsent(t.type(), t) != null) {
                throw new IllegalStateException("job type " + t.type() + " is declared twice");
            }
        }
        this.declared = byType;
        this.settings = settings;
    }

    /** The types on the classpath ({@code META-INF/services/io.nomadcamel.jobs.scheduler.JobType}). */
    public static JobTypes load(Settings settings) {
        return load(settings, List.of());
    }

    /**
     * The types on the classpath and those declared as beans by route files (a YAML-only job naming a generic
     * contract, such as {@code maintenance.OfflineMaintenanceJobType}).
     */
    public static JobTypes load(Settings settings, java.util.Collection<JobType> routeDeclared) {
        List<JobType> all = new java.util.ArrayList<>(ServiceLoader.load(JobType.class,
                JobTypes.class.getClassLoader()).stream().map(ServiceLoader.Provider::get).toList());
        all.addAll(routeDeclared);
        return new JobTypes(all, settings);
    }

    /** No declared type: every input is taken as it is (unit tests of the scheduler alone). */
    public static JobTypes none() {
        return new JobTypes(List.of(), null);
    }

    public Optional<JobType> find(String type) {
        return Optional.ofNullable(declared.get(type));
    }

    /**
     * The input checked against the type's contract, defaults filled in.
     *
     * @throws InputSchema.InvalidInputException naming the field
     */
    public Map<String, Object> check(String type, Map<String, ?> input) {
        Optional<JobType> t = find(type);
        if (t.isEmpty()) {
            return input == null ? Map.of() : new LinkedHashMap<>(input);
        }
        return t.get().input(settings).check(input);
    }

    /** What keeps a job of this type from working here; empty when ready (and for an undeclared type). */
    public List<String> problems(String type) {
        return find(type).map(t -> t.problems(settings)).orElse(List.of());
    }

    /** {@code GET /api/job-types}: each route type with its description and input schema. */
    public List<Map<String, Object>> describe(Iterable<String> routeTypes) {
        List<Map<String, Object>> answer = new java.util.ArrayList<>();
        for (String type : routeTypes) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("type", type);
            Optional<JobType> t = find(type);
            j.put("description", t.map(JobType::description).orElse("a route type without a declared input "
                    + "contract: its input is any JSON object"));
            j.put("input_schema", t.map(x -> x.input(settings).jsonSchema()).orElse(Map.of("type", "object")));
            answer.add(j);
        }
        return answer;
    }
}
