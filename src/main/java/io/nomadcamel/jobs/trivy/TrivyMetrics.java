package io.nomadcamel.jobs.trivy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;

/**
 * Prometheus figures of the scans: every stored scan by status, and the failed ones on their own counter, so that
 * "images we could not scan" can be alerted on without knowing the list of statuses.
 */
final class TrivyMetrics {

    private final CamelContext camel;
    private volatile MeterRegistry registry;

    TrivyMetrics(CamelContext camel) {
        this.camel = camel;
    }

    void stored(String jobId, StoredScan scan) {
        MeterRegistry meters = registry();
        Counter.builder("ncj_trivy_scans_total").description("image scans stored, by status")
                .tag("job", jobId).tag("status", scan.status().text()).register(meters).increment();
        if (!scan.ok()) {
            Counter.builder("ncj_trivy_scan_failures_total")
                    .description("images whose scan failed (pull_failed, error, parse_failed)")
                    .tag("job", jobId).tag("status", scan.status().text()).register(meters).increment();
        }
    }

    /** The application's Prometheus registry, found at first use (configuration classes run in any order). */
    private MeterRegistry registry() {
        MeterRegistry r = registry;
        if (r == null) {
            r = camel.getRegistry().findSingleByType(MeterRegistry.class);
            registry = r = r != null ? r : new SimpleMeterRegistry();
        }
        return r;
    }
}
