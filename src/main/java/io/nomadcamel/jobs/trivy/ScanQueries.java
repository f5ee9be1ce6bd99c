package io.nomadcamel.jobs.trivy;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import io.nomadcamel.jobs.store.Sql;

/** Reads scans for the API: the latest scan per image, one image's findings, and what changed. */
public final class ScanQueries {

    private static final String LATEST_PER_IMAGE = "SELECT image, MAX(id) AS id FROM scans GROUP BY image";
    private static final String LATEST_OK_PER_IMAGE =
            "SELECT image, MAX(id) AS id FROM scans WHERE status = 'success' GROUP BY image";
    /** Worst first, then by id and package, so the list reads like Trivy's table. */
    static final Comparator<Finding> ORDER = Comparator.comparing(Finding::severity)
            .thenComparing(Finding::vulnId).thenComparing(Finding::pkgName)
            .thenComparing(f -> f.installedVersion() == null ? "" : f.installedVersion());

    private final DataSource dataSource;
    private final Sql sql;

    public ScanQueries(DataSource dataSource) {
        this.dataSource = dataSource;
        this.sql = new Sql(dataSource);
    }

    /** The newest scan of every image, by image name. */
    public List<StoredScan> latestPerImage() throws SQLException {
        return sql.query("SELECT " + prefixed("s") + " FROM scans s JOIN (" + LATEST_PER_IMAGE + ") l ON s.id = l.id "
                + "ORDER BY s.image", StoredScan::from);
    }

    /** The newest successful scan of every image, keyed by image. */
    public Map<String, StoredScan> latestOkPerImage() throws SQLException {
        Map<String, StoredScan> byImage = new LinkedHashMap<>();
        for (StoredScan s : sql.query("SELECT " + prefixed("s") + " FROM scans s JOIN (" + LATEST_OK_PER_IMAGE
                + ") l ON s.id = l.id ORDER BY s.image", StoredScan::from)) {
            byImage.put(s.image(), s);
        }
        return byImage;
    }

    /** Images whose newest successful scan has the vulnerability (the "which images have CVE X" question). */
    public List<String> imagesAffectedBy(String vulnId) throws SQLException {
        return sql.query("SELECT DISTINCT s.image FROM vulnerabilities v JOIN scans s ON s.id = v.scan_id JOIN ("
                + LATEST_OK_PER_IMAGE + ") l ON l.id = s.id WHERE v.vuln_id = ? ORDER BY s.image",
                rs -> rs.getString(1), vulnId);
    }

    public Optional<StoredScan> latest(String image, boolean okOnly) throws SQLException {
        return sql.queryOne("SELECT " + StoredScan.COLUMNS + " FROM scans WHERE image = ?"
                + (okOnly ? " AND status = 'success'" : "") + " ORDER BY id DESC LIMIT 1", StoredScan::from, image);
    }

    /** A scan's findings, worst first. */
    public List<Finding> findings(long scanId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<Finding> all = new java.util.ArrayList<>(ScanStore.findings(c, scanId));
            all.sort(ORDER);
            return all;
        }
    }

    /** What the scan added and fixed compared with its previous successful scan; empty when it has none left. */
    public Optional<FindingDiff> diff(StoredScan scan) throws SQLException {
        if (scan.previousScanId() == null || !exists(scan.previousScanId())) {
            return Optional.empty();
        }
        FindingDiff d = FindingDiff.between(findings(scan.previousScanId()), findings(scan.id()));
        return Optional.of(new FindingDiff(d.added().stream().sorted(ORDER).toList(),
                d.fixed().stream().sorted(ORDER).toList()));
    }

    private boolean exists(long scanId) throws SQLException {
        return sql.queryOne("SELECT id FROM scans WHERE id = ?", rs -> rs.getLong(1), scanId).isPresent();
    }

    private static String prefixed(String alias) {
        return alias + "." + StoredScan.COLUMNS.replace(", ", ", " + alias + ".");
    }
}
