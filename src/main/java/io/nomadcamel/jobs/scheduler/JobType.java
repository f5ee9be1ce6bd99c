package io.nomadcamel.jobs.scheduler;

import java.util.List;

import io.nomadcamel.jobs.Settings;

/**
 * What a job type declares once, in its own package: a one-line description, its input contract and the settings a
 * job of it needs. Found with {@link java.util.ServiceLoader} (listed in
 * {@code META-INF/services/io.nomadcamel.jobs.scheduler.JobType}; a subclass has a public no-argument constructor),
 * so the scheduler knows no job package.
 */
public abstract class JobType {

    private final String type;
    private final String description;
    private final InputSchema input;

    /** {@code input}: the contract, or null when the subclass builds it from settings ({@link #input(Settings)}). */
    protected JobType(String type, String description, InputSchema input) {
        this.type = type;
        this.description = description;
        this.input = input;
    }

    /** The route's {@code direct:<type>}. */
    public final String type() {
        return type;
    }

    public final String description() {
        return description;
    }

    /** The input contract; {@code settings} for the limits an operator sets (e.g. scans.max-concurrency). */
    public InputSchema input(Settings settings) {
        return input;
    }

    /**
     * Why a job of this type cannot work on this instance now, each naming the environment variable to set
     * ("PG_HOST is not set"); empty when it can. Cheap (no network) and never showing a setting's value.
     */
    public abstract List<String> problems(Settings settings);
}
