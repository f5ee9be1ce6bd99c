package io.nomadcamel.jobs.trivy;

import java.util.concurrent.ExecutorService;

import io.nomadcamel.jobs.Settings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * Binds what routes/trivy-scan.camel.yaml refers to: {@code trivyScan} (the job's steps) and
 * {@code trivyScanThreads} (the split's threads). The pool bounds all trivy-scan runs together
 * ({@code scans.max-concurrency}, 32); each run's {@code concurrency} input is enforced within it by {@link ScanPlan}.
 */
public class TrivyConfiguration implements CamelConfiguration {

    static final int MAX_CONCURRENCY_LIMIT = 256;

    @Override
    public void configure(CamelContext camel) {
        int max = maxConcurrency(new Settings(camel));
        ExecutorService threads = camel.getExecutorServiceManager().newFixedThreadPool(this, "trivy-scan", max);
        camel.getRegistry().bind("trivyScanThreads", ExecutorService.class, threads);
        camel.getRegistry().bind("trivyScan", TrivyScanJob.class, new TrivyScanJob(camel, max));
    }

    /** {@code scans.max-concurrency}: the pool's size and the most a run's {@code concurrency} may ask. */
    static int maxConcurrency(Settings settings) {
        int max = settings.integer("scans.max-concurrency", 32);
        if (max < 1 || max > MAX_CONCURRENCY_LIMIT) {
            throw new Settings.InvalidSettingException("Setting scans.max-concurrency (environment variable "
                    + "SCANS_MAX_CONCURRENCY) must be from 1 to " + MAX_CONCURRENCY_LIMIT + ", got " + max);
        }
        return max;
    }
}
