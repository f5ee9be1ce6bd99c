package io.nomadcamel.jobs.trivy;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.nomadcamel.jobs.store.Sql;

/**
 * A row of the scans table. Counts are null for a failed scan (unknown, not zero); the new/fixed figures are null
 * when there is no earlier successful scan of the image to compare with (its first scan is the baseline).
 */
public record StoredScan(long id, Long runId, String image, String digest, String imageId, ScanStatus status,
        String error, int attempts, Instant scannedAt, SeverityCounts counts, Long previousScanId, Integer newCount,
        Integer fixedCount, Integer newCritical, Integer newHigh) {

    static final String COLUMNS = "id, run_id, image, digest, image_id, status, error, attempts, scanned_at, critical, "
            + "high, medium, low, unknown_count, previous_scan_id, new_count, fixed_count, new_critical, new_high";

    static StoredScan from(ResultSet rs) throws SQLException {
        SeverityCounts counts = null;
        if (rs.getObject("critical") != null) {
            counts = new SeverityCounts(rs.getInt("critical"), rs.getInt("high"), rs.getInt("medium"),
                    rs.getInt("low"), rs.getInt("unknown_count"));
        }
        return new StoredScan(rs.getLong("id"), longOrNull(rs, "run_id"), rs.getString("image"),
                rs.getString("digest"), rs.getString("image_id"), ScanStatus.parse(rs.getString("status")),
                rs.getString("error"), rs.getInt("attempts"), Sql.instant(rs, "scanned_at"), counts,
                longOrNull(rs, "previous_scan_id"), intOrNull(rs, "new_count"), intOrNull(rs, "fixed_count"),
                intOrNull(rs, "new_critical"), intOrNull(rs, "new_high"));
    }

    public boolean ok() {
        return status == ScanStatus.SUCCESS;
    }

    /** The scan as the API and the run result show it (snake_case). */
    public Map<String, Object> toJson() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("image", image);
        j.put("scan_id", id);
        j.put("run_id", runId);
        j.put("status", status.text());
        j.put("error", error);
        j.put("scanned_at", scannedAt == null ? null : scannedAt.toString());
        j.put("attempts", attempts);
        j.put("digest", digest);
        j.put("image_id", imageId);
        j.put("counts", counts == null ? null : counts.toMap());
        j.put("previous_scan_id", previousScanId);
        j.put("new_count", newCount);
        j.put("fixed_count", fixedCount);
        j.put("new_critical", newCritical);
        j.put("new_high", newHigh);
        return j;
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static Integer intOrNull(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }
}
