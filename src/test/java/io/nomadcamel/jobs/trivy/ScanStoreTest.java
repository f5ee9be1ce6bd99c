package io.nomadcamel.jobs.trivy;

import static io.nomadcamel.jobs.testsupport.FakeTrivy.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.zaxxer.hikari.HikariDataSource;
import io.nomadcamel.jobs.store.Database;
import io.nomadcamel.jobs.store.Sql;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Storing scans on both databases the application runs on: real PostgreSQL (rows written with COPY) and the
 * embedded H2 (JDBC batches). Each test gets a fresh, migrated database.
 */
class ScanStoreTest {

    private HikariDataSource dataSource;
    private Path dataDir;

    private ScanStore open(String vendor) throws Exception {
        dataDir = TempDirs.create("scan-store");
        String url = null;
        String user = null;
        if (vendor.equals("postgresql")) {
            PostgresServer pg = PostgresServer.shared();
            url = pg.createDatabase("scan_store");
            user = pg.user();
        }
        dataSource = Database.open(new Database.Config(url, user, null, dataDir, 4));
        return new ScanStore(dataSource);
    }

    @AfterEach
    void close() {
        if (dataSource != null) {
            dataSource.close();
        }
        TempDirs.delete(dataDir);
    }

    private static TrivyReport report(String fixture) throws Exception {
        return new TrivyReportParser().parse(new ByteArrayInputStream(fixture(fixture)
                .getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void storesEveryFindingExactlyAsParsedWithTheCounts(String vendor) throws Exception {
        ScanStore store = open(vendor);
        // text that CSV, COPY or a careless writer would mangle: quotes, commas, line breaks, backslashes, an empty
        // string (not NULL), NULLs, a NUL character (PostgreSQL refuses it in text), non-ASCII
        Finding awkward = new Finding("CVE-2024-0001", "pkg \"quoted\", with comma", "", null, Severity.HIGH,
                "line one\nline two\r\n\\N backslash \\", "tab\there ; é ü 漢字 😀 nul\0end", null, "a/b,c.jar");
        List<Finding> findings = new java.util.ArrayList<>(report("alpine-39.json.golden").findings());
        findings.add(awkward);
        ScanStore.Saved saved = store.save(41L, ScanOutcome.ok("alpine:3.9", new TrivyReport("sha256:d", "sha256:i",
                findings), 2));

        StoredScan scan = new ScanQueries(dataSource).latest("alpine:3.9", false).orElseThrow();
        assertEquals(saved.scan(), scan);
        assertEquals(new SeverityCounts(2, 1, 4, 0, 0), scan.counts());
        assertEquals(41L, scan.runId());
        assertEquals(2, scan.attempts());
        assertEquals("sha256:d", scan.digest());
        assertNull(scan.previousScanId(), "a first scan has nothing to compare with");
        assertNull(scan.newCount());
        List<Finding> back = new ScanQueries(dataSource).findings(scan.id());
        assertEquals(new HashSet<>(findings), new HashSet<>(back));
        Finding stored = back.stream().filter(f -> f.vulnId().equals("CVE-2024-0001")).findFirst().orElseThrow();
        assertEquals("", stored.installedVersion(), "an empty string stays empty");
        assertNull(stored.fixedVersion(), "a missing value stays NULL");
        assertEquals("tab\there ; é ü 漢字 😀 nulend", stored.description());
        assertEquals(3, new Sql(dataSource).queryOne("SELECT COUNT(DISTINCT vuln_id) FROM vulnerabilities "
                + "WHERE scan_id = ? AND vuln_id <> 'CVE-2024-0001'", rs -> rs.getInt(1), scan.id()).orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void newAndFixedAreAgainstThePreviousSuccessfulScan(String vendor) throws Exception {
        ScanStore store = open(vendor);
        ScanQueries queries = new ScanQueries(dataSource);
        long first = store.save(1L, ScanOutcome.ok("shop/app:1", report("debian-buster.json.golden"), 1)).scan().id();
        StoredScan failed = store.save(2L, ScanOutcome.failed("shop/app:1", ScanStatus.PULL_FAILED,
                "MANIFEST_UNKNOWN", 1)).scan();
        assertNull(failed.counts(), "a failed scan's counts are unknown, not zero");
        ScanStore.Saved third = store.save(3L, ScanOutcome.ok("shop/app:1", report("fluentd-gems.json.golden"), 1));

        StoredScan scan = third.scan();
        assertEquals(first, scan.previousScanId(), "the failed scan in between is not a baseline");
        assertEquals(1, scan.newCount());
        assertEquals(1, scan.fixedCount());
        assertEquals(0, scan.newCritical());
        assertEquals(1, scan.newHigh());
        FindingDiff diff = queries.diff(scan).orElseThrow();
        assertEquals(List.of("CVE-2020-8165 activesupport HIGH"), describe(diff.added()));
        assertEquals(List.of("CVE-2019-18276 bash LOW"), describe(diff.fixed()));
        assertEquals(describe(diff.added()), describe(third.diff().added()), "stored and recomputed agree");

        store.save(3L, ScanOutcome.ok("other:1", report("debian-buster.json.golden"), 1));
        assertEquals(List.of("other:1", "shop/app:1"), queries.latestPerImage().stream().map(StoredScan::image)
                .toList());
        assertEquals(List.of("other:1", "shop/app:1"), queries.imagesAffectedBy("CVE-2019-18224"));
        assertEquals(List.of("other:1"), queries.imagesAffectedBy("CVE-2019-18276"),
                "fixed in shop/app:1's latest scan");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void anImageIsStoredWholeOrNotAtAll(String vendor) throws Exception {
        ScanStore store = open(vendor);
        List<Finding> findings = new java.util.ArrayList<>(report("alpine-39.json.golden").findings());
        findings.add(new Finding("CVE-1", null, null, null, Severity.LOW, null, null, null, null));
        assertThrows(SQLException.class, () -> store.save(1L, ScanOutcome.ok("half:1", new TrivyReport(null, null,
                findings), 1)));
        Sql sql = new Sql(dataSource);
        assertEquals(0, sql.queryOne("SELECT COUNT(*) FROM scans", rs -> rs.getInt(1)).orElseThrow());
        assertEquals(0, sql.queryOne("SELECT COUNT(*) FROM vulnerabilities", rs -> rs.getInt(1)).orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void pruningKeepsEachImagesNewestScanAndItsTwoNewestSuccessfulOnes(String vendor) throws Exception {
        ScanStore store = open(vendor);
        Instant old = Instant.now().minus(Duration.ofDays(100));
        TrivyReport report = report("alpine-39.json.golden");
        long[] ids = new long[5];
        ids[0] = store.save(1L, at(ScanOutcome.ok("x:1", report, 1), old)).scan().id();
        ids[1] = store.save(2L, at(ScanOutcome.ok("x:1", report, 1), old.plusSeconds(1))).scan().id();
        ids[2] = store.save(3L, at(ScanOutcome.ok("x:1", report, 1), old.plusSeconds(2))).scan().id();
        ids[3] = store.save(4L, at(ScanOutcome.failed("x:1", ScanStatus.ERROR, "boom", 4), old.plusSeconds(3)))
                .scan().id();
        ids[4] = store.save(5L, ScanOutcome.ok("y:1", report, 1)).scan().id();

        assertEquals(1, store.prune(Instant.now().minus(Duration.ofDays(90))));
        Sql sql = new Sql(dataSource);
        Set<Long> left = new HashSet<>(sql.query("SELECT id FROM scans", rs -> rs.getLong(1)));
        assertEquals(Set.of(ids[1], ids[2], ids[3], ids[4]), left);
        assertEquals(0, sql.queryOne("SELECT COUNT(*) FROM vulnerabilities WHERE scan_id = ?", rs -> rs.getInt(1),
                ids[0]).orElseThrow(), "its vulnerabilities went with it");
    }

    private static ScanOutcome at(ScanOutcome o, Instant t) {
        return new ScanOutcome(o.image(), o.status(), o.report(), o.error(), o.attempts(), t);
    }

    private static List<String> describe(List<Finding> findings) {
        return findings.stream().map(f -> f.vulnId() + " " + f.pkgName() + " " + f.severity()).toList();
    }
}
