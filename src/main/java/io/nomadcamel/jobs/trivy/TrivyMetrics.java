package io.nomadcamel.jobs.trivy;

import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nomadcamel.jobs.Meters;
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
        if (scan.ok() && scan.counts() != null) {
            Map<String, Object> bySeverity = scan.counts().toMap();
            bySeverity.forEach((severity, n) -> Counter.builder("ncj_trivy_findings_total")
                    .description("vulnerability findings stored, by severity (one per vulnerability per package)")
                    .tag("job", jobId).tag("severity", severity).register(meters)
                    .increment(((Number) n).doubleValue()));
        }
        if (!scan.ok()) {
            Counter.builder("ncj_trivy_scan_failures_total")
                    .description("images whose scan failed (pull_failed, error, parse_failed)")
                    .tag("job", jobId).tag("status", scan.status().text()).register(meters).increment();
        }
    }

    private MeterRegistry registry() {
        MeterRegistry r = registry;
        if (r == null) {
            registry = r = Meters.of(camel);
        }
        return r;
    }
}
