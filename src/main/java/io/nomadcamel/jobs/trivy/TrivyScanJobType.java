package io.nomadcamel.jobs.trivy;

import java.util.List;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.scheduler.InputSchema;
import io.nomadcamel.jobs.scheduler.JobType;
import io.nomadcamel.jobs.scheduler.Prerequisites;

/**
 * The {@code trivy-scan} job type's contract: {@code concurrency} (10) up to {@code scans.max-concurrency}, the
 * pool all scans share, and the settings a scan needs.
 */
public final class TrivyScanJobType extends JobType {

    static final int DEFAULT_CONCURRENCY = 10;

    static InputSchema input(int maxConcurrency) {
        return InputSchema.of("trivy-scan")
                .integer("concurrency", Math.min(DEFAULT_CONCURRENCY, maxConcurrency), 1, maxConcurrency,
                        "images scanned at once (at most scans.max-concurrency)")
                .build();
    }

    public TrivyScanJobType() {
        super("trivy-scan",
                "Scans the images of the running allocations with a Trivy server and stores their vulnerabilities",
                null);
    }

    @Override
    public InputSchema input(Settings settings) {
        return input(TrivyConfiguration.maxConcurrency(settings));
    }

    @Override
    public List<String> problems(Settings settings) {
        return new Prerequisites(settings).set("trivy.server-addr").program("trivy.bin", "trivy").set("nomad.addr")
                .problems();
    }
}
