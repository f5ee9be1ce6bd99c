package io.nomadcamel.jobs.trivy;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Findings per severity, per package finding as Trivy's own summary counts them (alpine:3.9: 2 CRITICAL, 4 MEDIUM). */
public record SeverityCounts(int critical, int high, int medium, int low, int unknown) {

    public static final SeverityCounts NONE = new SeverityCounts(0, 0, 0, 0, 0);

    public static SeverityCounts of(Collection<Finding> findings) {
        int[] n = new int[Severity.values().length];
        for (Finding f : findings) {
            n[f.severity().ordinal()]++;
        }
        return new SeverityCounts(n[0], n[1], n[2], n[3], n[4]);
    }

    public SeverityCounts plus(SeverityCounts other) {
        return new SeverityCounts(critical + other.critical, high + other.high, medium + other.medium,
                low + other.low, unknown + other.unknown);
    }

    /** The four counted levels (UNKNOWN is kept on the findings, not counted). */
    public int total() {
        return critical + high + medium + low;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("critical", critical);
        m.put("high", high);
        m.put("medium", medium);
        m.put("low", low);
        m.put("unknown", unknown);
        return m;
    }
}
