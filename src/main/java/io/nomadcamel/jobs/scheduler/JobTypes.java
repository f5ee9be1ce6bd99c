package io.nomadcamel.jobs.scheduler;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Supplier;

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
    private final Supplier<? extends Collection<JobType>> routeDeclared;

    public JobTypes(List<JobType> declared, Settings settings) {
        this(declared, settings, List::of);
    }

    private JobTypes(List<JobType> declared, Settings settings,
            Supplier<? extends Collection<JobType>> routeDeclared) {
        Map<String, JobType> byType = new TreeMap<>();
        for (JobType t : declared) {
            if (byType.putIfAbsent(t.type(), t) != null) {
                throw new IllegalStateException("job type " + t.type() + " is declared twice");
            }
        }
        this.declared = byType;
        this.settings = settings;
        this.routeDeclared = routeDeclared;
    }

    /** The types on the classpath ({@code META-INF/services/io.nomadcamel.jobs.scheduler.JobType}). */
    public static JobTypes load(Settings settings) {
        return load(settings, List::of);
    }

    /**
     * The types on the classpath, and those declared as beans by route files (a YAML-only job naming a generic
     * contract, such as {@code maintenance.OfflineMaintenanceJobType}), looked up when asked, so that a reloaded
     * route file's contract is the one checked. A Java declaration wins over a bean of the same type.
     */
    public static JobTypes load(Settings settings, Supplier<? extends Collection<JobType>> routeDeclared) {
        return new JobTypes(ServiceLoader.load(JobType.class, JobTypes.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).toList(), settings, routeDeclared);
    }

    /** No declared type: every input is taken as it is (unit tests of the scheduler alone). */
    public static JobTypes none() {
        return new JobTypes(List.of(), null);
    }

    public Optional<JobType> find(String type) {
        JobType t = declared.get(type);
        if (t != null) {
            return Optional.of(t);
        }
        return routeDeclared.get().stream().filter(r -> r.type().equals(type)).findFirst().map(JobType.class::cast);
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
