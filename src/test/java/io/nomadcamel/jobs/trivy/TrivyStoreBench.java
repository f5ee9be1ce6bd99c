package io.nomadcamel.jobs.trivy;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import com.zaxxer.hikari.HikariDataSource;
import io.nomadcamel.jobs.store.Database;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.TempDirs;

/**
 * Benchmark, not a test (bench/trivy-store.sh runs it; figures in bench/README.md): storing one image's 100,000
 * vulnerability rows with the job's own code, against {@code psql \copy} of the same rows into the same table, in
 * the same run on the same PostgreSQL. Arguments: [rows] [rounds].
 */
public final class TrivyStoreBench {

    private TrivyStoreBench() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<Finding> findings = findings(rows, new Random(42));
        TrivyReport report = new TrivyReport("sha256:bench", "sha256:bench-id", findings);
        Path dir = TempDirs.create("trivy-bench");
        try (PostgresServer pg = new PostgresServer()) {
            pg.start();
            String url = pg.createDatabase("trivy_bench");
            try (HikariDataSource ds = Database.open(new Database.Config(url, pg.user(), null, dir, 4))) {
                ScanStore store = new ScanStore(ds);
                Path csv = dir.resolve("vulnerabilities.csv");
                System.out.printf(Locale.ROOT, "trivy-store bench: %,d rows per image, %d rounds (+1 warm-up), "
                        + "PostgreSQL %s%n", rows, rounds, version(ds));
                double[] save = new double[rounds];
                double[] rescan = new double[rounds];
                double[] psql = new double[rounds];
                double[] batch = new double[rounds];
                for (int round = -1; round < rounds; round++) {
                    truncate(ds);
                    long t = System.nanoTime();
                    store.save(1L, ScanOutcome.ok("bench/app:1", report, 1));
                    double a = ms(t);
                    t = System.nanoTime();
                    store.save(2L, ScanOutcome.ok("bench/app:1", report, 1)); // + diff against the previous 100k
                    double b = ms(t);

                    truncate(ds);
                    long scanId = scanRow(ds);
                    writeCsv(csv, scanId, findings);
                    t = System.nanoTime();
                    psqlCopy(pg, csv);
                    double c = ms(t);

                    truncate(ds);
                    long batchScan = scanRow(ds);
                    t = System.nanoTime();
                    try (Connection conn = ds.getConnection()) {
                        conn.setAutoCommit(false);
                        VulnerabilityWriter.batch(conn, batchScan, findings);
                        conn.commit();
                    }
                    double d = ms(t);
                    if (round >= 0) {
                        save[round] = a;
                        rescan[round] = b;
                        psql[round] = c;
                        batch[round] = d;
                    }
                    System.out.printf(Locale.ROOT, "  round %s: save %.0f ms, rescan %.0f ms, psql \\copy %.0f ms, "
                            + "jdbc batch %.0f ms%n", round < 0 ? "warm-up" : String.valueOf(round + 1), a, b, c, d);
                }
                double psqlMedian = median(psql);
                System.out.printf(Locale.ROOT, "median: ScanStore.save %.0f ms (%.2f× psql), rescan with diff %.0f ms "
                        + "(%.2f×), psql \\copy %.0f ms, JDBC batch of 1000 %.0f ms (%.2f×)%n", median(save),
                        median(save) / psqlMedian, median(rescan), median(rescan) / psqlMedian, psqlMedian,
                        median(batch), median(batch) / psqlMedian);
                System.out.printf(Locale.ROOT, "ratio ScanStore.save / psql \\copy = %.2f (target <= 3)%n",
                        median(save) / psqlMedian);
            }
        } finally {
            TempDirs.delete(dir);
        }
    }

    /** Trivy-like rows: CVE ids shared by several packages, versions, one severity mix, real-size texts. */
    static List<Finding> findings(int n, Random random) {
        Severity[] mix = {Severity.CRITICAL, Severity.HIGH, Severity.HIGH, Severity.MEDIUM, Severity.MEDIUM,
            Severity.MEDIUM, Severity.LOW, Severity.LOW, Severity.UNKNOWN};
        String words = "a flaw was found in the handling of crafted input which allows a remote attacker to cause a "
                + "denial of service or possibly execute arbitrary code via a buffer overflow in the parser when the "
                + "library processes untrusted data from the network, \"quoted\" and, with commas; ";
        List<Finding> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int cve = random.nextInt(n / 3 + 1);
            String pkg = "pkg-" + (i % 5000) + (i % 7 == 0 ? "-libs" : "");
            int descLength = 200 + random.nextInt(800);
            StringBuilder desc = new StringBuilder(descLength);
            while (desc.length() < descLength) {
                desc.append(words);
            }
            out.add(new Finding("CVE-20" + (10 + cve % 15) + "-" + (10000 + cve), pkg,
                    "1." + random.nextInt(20) + "." + random.nextInt(50) + "-r" + random.nextInt(9),
                    random.nextInt(4) == 0 ? null : "1." + (20 + random.nextInt(5)) + ".0-r0",
                    mix[random.nextInt(mix.length)], "CVE " + cve + ": " + words.substring(0, 40 + random.nextInt(60)),
                    desc.substring(0, descLength), "registry.local/bench/app:1 (alpine 3.19.1)",
                    i % 10 == 0 ? "usr/lib/app/" + pkg + ".jar" : null));
        }
        return out;
    }

    private static void writeCsv(Path file, long scanId, List<Finding> findings) throws Exception {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Finding f : findings) {
                w.write(Long.toString(scanId));
                for (String v : new String[] {f.vulnId(), f.pkgName(), f.installedVersion(), f.fixedVersion(),
                    f.severity().name(), f.title(), f.description(), f.target(), f.pkgPath()}) {
                    w.write(',');
                    if (v != null) {
                        w.write('"' + v.replace("\"", "\"\"") + '"');
                    }
                }
                w.write('\n');
            }
        }
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static void psqlCopy(PostgresServer pg, Path csv) throws Exception {
        Process p = new ProcessBuilder(pg.binDir().resolve("psql").toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-h", "127.0.0.1", "-p", String.valueOf(pg.port()), "-U", pg.user(), "-d", "trivy_bench", "-c",
                "\\copy vulnerabilities (" + VulnerabilityWriter.COLUMNS + ") FROM '" + csv + "' WITH (FORMAT csv)")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("psql failed: " + out);
        }
    }

    private static long scanRow(HikariDataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO scans (image, status, attempts, scanned_at) VALUES ('bench/app:1', 'success', 1, "
                    + "CURRENT_TIMESTAMP)", new String[] {"id"});
            try (var keys = s.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private static void truncate(HikariDataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE scans, vulnerabilities");
            s.execute("CHECKPOINT");
        }
    }

    private static String version(HikariDataSource ds) throws Exception {
        try (Connection c = ds.getConnection()) {
            return c.getMetaData().getDatabaseProductVersion();
        }
    }

    private static double ms(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
