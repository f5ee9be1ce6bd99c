package io.nomadcamel.jobs.trivy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's result JSON: how many images, how many scanned or failed (and how), the severity totals of this run's
 * successful scans, and the CRITICAL/HIGH findings that are new since each image's previous successful scan.
 */
final class ScanResult {

    /** Lists in a result stay readable; the counts next to them are always complete. */
    static final int LIST_MAX = 100;

    private ScanResult() {
    }

    static Map<String, Object> of(int imagesTotal, List<ScanStore.Saved> saved) {
        Map<ScanStatus, Integer> byStatus = new EnumMap<>(ScanStatus.class);
        for (ScanStatus s : ScanStatus.values()) {
            byStatus.put(s, 0);
        }
        SeverityCounts totals = SeverityCounts.NONE;
        int newCritical = 0;
        int newHigh = 0;
        int firstScans = 0;
        List<Map<String, Object>> newFindings = new ArrayList<>();
        List<Map<String, Object>> failures = new ArrayList<>();
        List<ScanStore.Saved> sorted = saved.stream()
                .sorted(java.util.Comparator.comparing((ScanStore.Saved s) -> s.scan().image())).toList();
        for (ScanStore.Saved s : sorted) {
            StoredScan scan = s.scan();
            byStatus.merge(scan.status(), 1, Integer::sum);
            if (!scan.ok()) {
                failures.add(failure(scan));
                continue;
            }
            totals = totals.plus(scan.counts());
            if (scan.previousScanId() == null) {
                firstScans++;
                continue;
            }
            newCritical += scan.newCritical();
            newHigh += scan.newHigh();
            s.diff().added().stream().filter(f -> f.severity() == Severity.CRITICAL || f.severity() == Severity.HIGH)
                    .sorted(ScanQueries.ORDER).forEach(f -> newFindings.add(finding(scan.image(), f)));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("images_total", imagesTotal);
        r.put("scanned", byStatus.get(ScanStatus.SUCCESS));
        r.put("failed", saved.size() - byStatus.get(ScanStatus.SUCCESS));
        Map<String, Object> statuses = new LinkedHashMap<>();
        byStatus.forEach((k, v) -> statuses.put(k.text(), v));
        r.put("by_status", statuses);
        r.put("totals", totals.toMap());
        r.put("new_critical", newCritical);
        r.put("new_high", newHigh);
        r.put("new_findings", capped(newFindings));
        r.put("first_scans", firstScans);
        r.put("failures", capped(failures));
        return r;
    }

    private static Map<String, Object> failure(StoredScan scan) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("image", scan.image());
        f.put("status", scan.status().text());
        f.put("attempts", scan.attempts());
        f.put("error", scan.error());
        return f;
    }

    static Map<String, Object> finding(String image, Finding f) {
        Map<String, Object> j = new LinkedHashMap<>();
        if (image != null) {
            j.put("image", image);
        }
        j.put("vuln_id", f.vulnId());
        j.put("pkg_name", f.pkgName());
        j.put("severity", f.severity().name());
        j.put("installed_version", f.installedVersion());
        j.put("fixed_version", f.fixedVersion());
        j.put("title", f.title());
        return j;
    }

    private static List<Map<String, Object>> capped(List<Map<String, Object>> list) {
        return list.size() <= LIST_MAX ? list : list.subList(0, LIST_MAX);
    }
}
