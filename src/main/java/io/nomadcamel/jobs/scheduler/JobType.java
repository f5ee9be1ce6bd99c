package io.nomadcamel.jobs.scheduler;

import java.util.List;

import io.nomadcamel.jobs.Settings;

/**
 * What a job type declares once, in its own package: a one-line description, its input contract and the settings a
 * job of it needs. Found with {@link java.util.ServiceLoader} (listed in
 * {@code META-INF/services/io.nomadcamel.jobs.scheduler.JobType}), so the scheduler knows no job package.
 */
public interface JobType {

    /** The route's {@code direct:<type>}. */
    String type();

    String description();

    /** The input contract; {@code settings} for the limits an operator sets (e.g. scans.max-concurrency). */
    InputSchema input(Settings settings);

    /**
     * Why a job of this type cannot work on this instance now, each naming the environment variable to set
     * ("PG_HOST is not set"); empty when it can. Cheap (no network) and never showing a setting's value.
     */
    List<String> problems(Settings settings);
}
