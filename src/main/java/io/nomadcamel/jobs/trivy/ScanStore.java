package io.nomadcamel.jobs.trivy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

/**
 * Stores scan outcomes: per image, one transaction holding its scans row and all its vulnerabilities rows, so a
 * reader never sees half a scan. What changed since the image's previous successful scan is computed here, once,
 * and kept on the row (the lists themselves are recomputed on read by {@link ScanQueries}).
 */
public final class ScanStore {

    private final DataSource dataSource;

    public ScanStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** What {@link #save} stored, with the new findings of a successful scan (empty on a first scan). */
    public record Saved(StoredScan scan, FindingDiff diff) {
    }

    public Saved save(Long runId, ScanOutcome outcome) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Saved saved = save(c, runId, outcome);
                c.commit();
                return saved;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private Saved save(Connection c, Long runId, ScanOutcome o) throws SQLException {
        TrivyReport report = o.report();
        Long previous = latestOkScanId(c, o.image());
        FindingDiff diff = null;
        if (report != null && previous != null) {
            diff = FindingDiff.between(findings(c, previous), report.findings());
        }
        SeverityCounts counts = report == null ? null : report.counts();
        long id;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO scans (run_id, image, digest, image_id, status, "
                + "error, attempts, scanned_at, critical, high, medium, low, unknown_count, previous_scan_id, "
                + "new_count, fixed_count, new_critical, new_high) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                new String[] {"id"})) {
            setLong(ps, 1, runId);
            ps.setString(2, o.image());
            ps.setString(3, report == null ? null : report.digest());
            ps.setString(4, report == null ? null : report.imageId());
            ps.setString(5, o.status().text());
            ps.setString(6, o.error());
            ps.setInt(7, o.attempts());
            ps.setObject(8, OffsetDateTime.ofInstant(o.scannedAt(), ZoneOffset.UTC));
            setInt(ps, 9, counts == null ? null : counts.critical());
            setInt(ps, 10, counts == null ? null : counts.high());
            setInt(ps, 11, counts == null ? null : counts.medium());
            setInt(ps, 12, counts == null ? null : counts.low());
            setInt(ps, 13, counts == null ? null : counts.unknown());
            setLong(ps, 14, previous);
            setInt(ps, 15, diff == null ? null : diff.added().size());
            setInt(ps, 16, diff == null ? null : diff.fixed().size());
            setInt(ps, 17, diff == null ? null : diff.addedWith(Severity.CRITICAL));
            setInt(ps, 18, diff == null ? null : diff.addedWith(Severity.HIGH));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
        }
        if (report != null) {
            VulnerabilityWriter.write(c, id, report.findings());
        }
        StoredScan stored = new StoredScan(id, runId, o.image(), report == null ? null : report.digest(),
                report == null ? null : report.imageId(), o.status(), o.error(), o.attempts(), o.scannedAt(), counts,
                previous, diff == null ? null : diff.added().size(), diff == null ? null : diff.fixed().size(),
                diff == null ? null : diff.addedWith(Severity.CRITICAL),
                diff == null ? null : diff.addedWith(Severity.HIGH));
        return new Saved(stored, diff == null ? new FindingDiff(List.of(), List.of()) : diff);
    }

    /**
     * Deletes scans older than the cutoff, keeping for every image its newest scan and its two newest successful
     * ones (the pair that "new" and "fixed" compare); their vulnerabilities go with them (ON DELETE CASCADE).
     */
    public int prune(Instant olderThan) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM scans WHERE scanned_at < ? AND id NOT IN ("
                        + "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY image ORDER BY id DESC) AS n "
                        + "FROM scans) newest WHERE n = 1 UNION "
                        + "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY image ORDER BY id DESC) AS n "
                        + "FROM scans WHERE status = 'success') ok WHERE n <= 2)")) {
            ps.setObject(1, OffsetDateTime.ofInstant(olderThan, ZoneOffset.UTC));
            return ps.executeUpdate();
        }
    }

    static Long latestOkScanId(Connection c, String image) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT MAX(id) FROM scans WHERE image = ? AND status = 'success'")) {
            ps.setString(1, image);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long id = rs.getLong(1);
                return rs.wasNull() ? null : id;
            }
        }
    }

    static List<Finding> findings(Connection c, long scanId) throws SQLException {
        List<Finding> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT vuln_id, pkg_name, installed_version, fixed_version, "
                + "severity, title, description, target, pkg_path FROM vulnerabilities WHERE scan_id = ?")) {
            ps.setLong(1, scanId);
            ps.setFetchSize(5000); // PostgreSQL streams only inside a transaction, which save() is
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Finding(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            Severity.parse(rs.getString(5)), rs.getString(6), rs.getString(7), rs.getString(8),
                            rs.getString(9)));
                }
            }
        }
        return out;
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, v);
        }
    }
}
