package io.nomadcamel.jobs.scheduler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether each job can work on this instance before its slot comes: its type's {@link JobType#problems} (settings
 * by their environment variable names, nothing secret). Looked at whenever asked (API, console, health check,
 * metric scrape), so a fixed file or directory shows without a restart; the checks touch no network. A job whose
 * type another instance hosts ({@code worker.job-types}) is not judged by this instance's settings.
 */
public final class JobReadiness {

    private final JobRegistry jobs;
    private final SchedulerConfig config;

    JobReadiness(JobRegistry jobs, SchedulerConfig config) {
        this.jobs = jobs;
        this.config = config;
    }

    /** Empty when the job can work here. */
    public List<String> problems(JobDefinition job) {
        if (!config.hosts(job.type())) {
            return List.of();
        }
        try {
            return jobs.definitions().contracts().problems(job.type());
        } catch (RuntimeException e) {
            // a malformed setting the check read: named by its own message
            return List.of(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /** The enabled jobs that cannot work here, with their problems, by id. */
    public Map<String, List<String>> notReadyEnabled() {
        Map<String, List<String>> notReady = new LinkedHashMap<>();
        for (JobDefinition job : jobs.all()) {
            List<String> problems = job.enabled() ? problems(job) : List.of();
            if (!problems.isEmpty()) {
                notReady.put(job.id(), problems);
            }
        }
        return notReady;
    }

    /** 1 ready, 0 not, for {@code ncj_job_ready}; NaN once the job is gone. */
    double readyValue(String jobId) {
        return jobs.find(jobId).map(job -> problems(job).isEmpty() ? 1.0 : 0.0).orElse(Double.NaN);
    }
}
