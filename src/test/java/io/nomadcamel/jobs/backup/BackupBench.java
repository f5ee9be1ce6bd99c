package io.nomadcamel.jobs.backup;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.ChildProcess;
import io.nomadcamel.jobs.testsupport.Ports;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.Programs;
import io.nomadcamel.jobs.testsupport.S3ProxyServer;
import io.nomadcamel.jobs.testsupport.TempDirs;

/**
 * Benchmark of the backup job (bench/backup.sh, bench/README.md), not a test:
 * (1) the dump phase of 8 databases of ~200 MB at dump_concurrency 4, as the application runs it, versus
 * {@code xargs -P4 pg_dump -Fc} of the same databases on the same server, alternating, in the same run;
 * (2) the peak RSS (VmHWM) of the application process backing up a ~2 GB database versus a ~20 MB one.
 * Everything real: a PostgreSQL 15 started for the run, S3Proxy, the application as a child JVM triggered over its API.
 */
public final class BackupBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TOKEN = "bench-token";

    private final PostgresServer pg = new PostgresServer();
    private final S3ProxyServer s3 = new S3ProxyServer();
    private final FakeClis clis = FakeClis.install();
    private final Path work = TempDirs.create("backup-bench");
    /**
     * The Docker image's JAVA_OPTS (Dockerfile) without its class-data archive, and the heap its MaxRAMPercentage=75
     * gives in the Nomad job's 512 MB.
     */
    static final String IMAGE_JVM_OPTIONS = "-XX:+UseSerialGC -Xms16m -Xmx384m -Xss512k -XX:CICompilerCount=2"
            + " -XX:ReservedCodeCacheSize=64m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20";

    private final String javaOpts = System.getProperty("bench.java-opts", IMAGE_JVM_OPTIONS);
    /** Trigger once the started application is idle, as a service is at 01:00, not while it still starts up. */
    private final boolean settle = Boolean.parseBoolean(System.getProperty("bench.settle", "true"));

    public static void main(String[] args) throws Exception {
        int databases = Integer.getInteger("bench.databases", 8);
        long rows = Long.getLong("bench.rows", 1_130_000L);
        int rounds = Integer.getInteger("bench.rounds", 5);
        long smallRows = Long.getLong("bench.small-rows", 100_000L);
        long largeRows = Long.getLong("bench.large-rows", 11_300_000L);
        BackupBench bench = new BackupBench();
        try {
            bench.run(databases, rows, rounds, smallRows, largeRows);
        } finally {
            bench.close();
        }
    }

    private void run(int databases, long rows, int rounds, long smallRows, long largeRows) throws Exception {
        pg.start();
        s3.start();
        s3.createBucket("bench");
        System.out.printf("nomad-camel-jobs backup benchmark, %s%n", Instant.now());
        System.out.printf("machine: %d CPUs, %s %s; %s; load average %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), query("SELECT version()"),
                Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.printf("application JVM options: %s; backups triggered %s%n%n", javaOpts,
                settle ? "once the started application is idle (bench.settle)" : "as soon as it is ready");

        long t0 = System.nanoTime();
        createTable("bench_template", rows);
        for (int i = 1; i <= databases; i++) {
            pg.execute("postgres", "CREATE DATABASE bench_" + i + " TEMPLATE bench_template");
        }
        pg.execute("postgres", "DROP DATABASE bench_template");
        System.out.printf("(1) %d databases of %s each (%d rows), created in %.0f s%n", databases,
                mib(size("bench_1")), rows, (System.nanoTime() - t0) / 1e9);
        List<String> names = BackupDatabases.listed(pg);
        List<Double> xargs = new ArrayList<>();
        List<Double> app = new ArrayList<>();
        List<Double> appNoS3 = new ArrayList<>();
        List<Double> byHand = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            // the order rotates from round to round, so that no variant always runs first or last
            double x = 0;
            double hand = 0;
            JsonNode result = null;
            JsonNode offline = null;
            for (int step = 0; step < 4; step++) {
                switch ((round + step) % 4) {
                    case 0 -> x = xargsDump(names, false);
                    case 1 -> result = backup(4, true).result;
                    case 2 -> hand = xargsDump(names, true);
                    default -> offline = backup(4, false).result;
                }
            }
            xargs.add(x);
            byHand.add(hand);
            app.add(result.path("postgres_dump_seconds").asDouble());
            appNoS3.add(offline.path("postgres_dump_seconds").asDouble());
            System.out.printf("    round %d: xargs -P4 pg_dump -Fc %.2f s; application dump phase %.2f s (ratio %.3f, "
                    + "whole run %s s); without S3 uploads %.2f s (ratio %.3f); the same work by hand %.2f s "
                    + "(application / by hand %.3f); load average %s%n", round, x, app.get(round - 1),
                    app.get(round - 1) / x, result.path("bench_run_seconds").asText(), appNoS3.get(round - 1),
                    appNoS3.get(round - 1) / x, hand, app.get(round - 1) / hand, loadAverage());
        }
        System.out.printf("    median of %d: xargs %.2f s, application %.2f s (ratio %.3f, target <= 1.05), "
                + "application without S3 uploads %.2f s (ratio %.3f), the same work by hand %.2f s "
                + "(application / by hand %.3f)%n%n", rounds, median(xargs), median(app),
                median(app) / median(xargs), median(appNoS3), median(appNoS3) / median(xargs), median(byHand),
                median(app) / median(byHand));
        for (int i = 1; i <= databases; i++) {
            pg.execute("postgres", "DROP DATABASE bench_" + i);
        }

        createTable("small", smallRows);
        Run small = backup(4, true);
        long smallDump = small.result.path("postgres_databases").findValues("bytes").stream()
                .mapToLong(JsonNode::asLong).max().orElse(0);
        System.out.printf("(2) peak RSS (VmHWM) of the application process over start-up and one backup run%n");
        System.out.printf("    database 'small' %s (dump %s): VmHWM %s, run %s s%n", mib(size("small")),
                mib(smallDump), mib(small.peakRssBytes), small.result.path("bench_run_seconds").asText());
        pg.execute("postgres", "DROP DATABASE small");
        createTable("large", largeRows);
        Run large = backup(4, true);
        long largeDump = large.result.path("postgres_databases").findValues("bytes").stream()
                .mapToLong(JsonNode::asLong).max().orElse(0);
        System.out.printf("    database 'large' %s (dump %s): VmHWM %s, run %s s%n", mib(size("large")),
                mib(largeDump), mib(large.peakRssBytes), large.result.path("bench_run_seconds").asText());
        System.out.printf("    ratio large/small %.3f (target <= 1.2)%n", (double) large.peakRssBytes
                / small.peakRssBytes);
    }

    private void createTable(String database, long rows) {
        pg.createDatabase(database);
        // ~150 bytes a row: two md5 texts (incompressible-ish), a timestamp, a repetitive text (compressible)
        pg.execute(database, "CREATE TABLE items AS SELECT g AS id, md5(g::text) AS a, md5((g * 7)::text) AS b, "
                + "now() - g * interval '1 second' AS at, repeat(chr(65 + (g % 26)::int), 40) AS c "
                + "FROM generate_series(1, " + rows + ") g", "ALTER TABLE items ADD PRIMARY KEY (id)", "VACUUM ANALYZE");
    }

    /**
     * {@code xargs -P4 pg_dump -Fc}: the same databases, flags and output (stdout to a file) as the application,
     * timed to the last pg_dump's end. With {@code checks}, each database also gets what the application does around
     * its pg_dump, by hand: every user table's rows counted (psql, one statement), timed to the last count's end like
     * the application's dump phase, then {@code pg_restore --list} and {@code sha256sum} of the dump.
     */
    private double xargsDump(List<String> names, boolean checks) throws Exception {
        Path out = Files.createDirectories(work.resolve("xargs"));
        Path list = Files.write(work.resolve("databases.txt"), names);
        // $1: the database; PG* variables give psql, pg_dump and pg_restore the server
        String perDatabase = "set -e\n"
                + "\"$BIN/pg_dump\" --no-password --format=custom --dbname=\"$1\" > \"$OUT/$1.dump\"\n"
                + (checks ? "\"$BIN/psql\" --no-password --dbname=\"$1\" -Atq -c \"$COUNT_EVERY_TABLE\" > /dev/null\n"
                        : "")
                + "date +%s%N >> \"$OUT/ends.txt\"\n"
                + (checks ? "\"$BIN/pg_restore\" --list \"$OUT/$1.dump\" > /dev/null\n"
                        + "sha256sum \"$OUT/$1.dump\" > /dev/null\n" : "");
        Path script = Files.writeString(work.resolve("per-database.sh"), perDatabase);
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", "xargs -P4 -I{} sh \"$0\" {} < \"$1\"",
                script.toString(), list.toString()).redirectErrorStream(true);
        builder.environment().putAll(Map.of("BIN", pg.binDir().toString(), "OUT", out.toString(),
                "PGHOST", "127.0.0.1", "PGPORT", String.valueOf(pg.port()), "PGUSER", pg.user(),
                "COUNT_EVERY_TABLE", COUNT_EVERY_TABLE));
        long startEpochNanos = Instant.now().toEpochMilli() * 1_000_000L;
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("xargs pg_dump failed: " + output);
        }
        long lastEnd = Files.readAllLines(out.resolve("ends.txt")).stream().mapToLong(Long::parseLong).max()
                .orElseThrow();
        TempDirs.delete(out);
        return (lastEnd - startEpochNanos) / 1e9;
    }

    /** Every user table's exact row count in one statement (no table name in the shell command). */
    private static final String COUNT_EVERY_TABLE = "SELECT count(*), sum((xpath('/row/c/text()', query_to_xml("
            + "format('SELECT count(*) AS c FROM %I.%I', schemaname, tablename), false, true, '')))[1]::text::bigint)"
            + " FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')";

    private record Run(JsonNode result, long peakRssBytes) {
    }

    /**
     * Starts the application, triggers backup-daily, waits for it, reads the process's VmHWM, stops it. Without S3,
     * the endpoint is a closed port and S3_RETRIES=0: every upload fails at once (warnings), for the diagnostic row
     * "without S3 uploads".
     */
    private Run backup(int concurrency, boolean withS3) throws Exception {
        Path backups = Files.createDirectories(work.resolve("backups"));
        Path data = Files.createDirectories(work.resolve("app-data"));
        int port = Ports.free();
        int management = Ports.free();
        Map<String, String> env = new HashMap<>();
        env.put("SERVER_PORT", String.valueOf(port));
        env.put("MANAGEMENT_PORT", String.valueOf(management));
        env.put("DATA_DIR", data.toString());
        env.put("API_TOKEN", TOKEN);
        env.put("BACKUP_DIR", backups.toString());
        env.put("NOMAD_BIN", clis.nomad().toString());
        env.put("CONSUL_BIN", clis.consul().toString());
        env.put("PG_BIN_DIR", pg.binDir().toString());
        env.put("PG_HOST", "127.0.0.1");
        env.put("PG_PORT", String.valueOf(pg.port()));
        env.put("PG_USER", pg.user());
        env.put("S3_ENDPOINT", withS3 ? s3.endpoint().toString() : "http://127.0.0.1:" + Ports.free());
        env.put("S3_RETRIES", withS3 ? "3" : "0");
        env.put("S3_BUCKET", "bench");
        env.put("S3_ACCESS_KEY", s3.accessKey());
        env.put("S3_SECRET_KEY", s3.secretKey());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(javaOpts.trim().split("\\s+")));
        command.addAll(List.of("-cp", Path.of("target", "classes").toAbsolutePath() + ":"
                + Files.readString(Programs.testToolsDir().resolve("app-classpath.txt")).trim(),
                "io.nomadcamel.jobs.Application"));
        try (ChildProcess app = ChildProcess.start("nomad-camel-jobs", command, env, Path.of("").toAbsolutePath(),
                work.resolve("app.log"))) {
            awaitReady(app, management);
            if (settle) {
                awaitIdle(app.pid());
            }
            long start = System.nanoTime();
            JsonNode trigger = JSON.readTree(call("POST", port, "/api/jobs/backup-daily/runs",
                    "{\"dump_concurrency\":" + concurrency + "}"));
            long id = trigger.path("run_id").asLong();
            JsonNode run;
            do {
                Thread.sleep(200);
                run = JSON.readTree(call("GET", port, "/api/runs/" + id, null));
            } while (run.path("state").asText().equals("RUNNING") || run.path("state").asText().equals("PENDING"));
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!run.path("state").asText().equals("SUCCEEDED")
                    || withS3 && run.path("result").path("warnings").size() > 0) {
                throw new IllegalStateException("the backup run did not succeed: " + run);
            }
            long hwm = peakRss(app.pid());
            ((com.fasterxml.jackson.databind.node.ObjectNode) run.path("result")).put("bench_run_seconds",
                    String.format("%.1f", seconds));
            return new Run(run.path("result"), hwm);
        } finally {
            TempDirs.delete(backups);
            TempDirs.delete(data);
            TempDirs.delete(s3.dataDir().resolve("bench").resolve("backups"));
        }
    }

    private static void awaitReady(ChildProcess app, int management) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.alive()) {
                throw new IllegalStateException("the application exited:\n" + app.output());
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management
                        + "/observe/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the application was not ready:\n" + app.output());
    }

    private static String call(String method, int port, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * Waits until the process used under 2 % of a core for two seconds in a row (start-up's JIT compilation and
     * background tasks done), at most 60 s.
     */
    private static void awaitIdle(long pid) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long before = cpuTicks(pid);
        int quietSeconds = 0;
        while (quietSeconds < 2 && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            long now = cpuTicks(pid);
            quietSeconds = now - before <= 2 ? quietSeconds + 1 : 0; // 100 ticks a second: 2 ticks = 2 %
            before = now;
        }
    }

    /** User and system CPU time of all the process's threads, in clock ticks (/proc/<pid>/stat fields 14, 15). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** The kernel's high-water mark of the process's resident set: the peak, however short. */
    private static long peakRss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmHWM for " + pid);
    }

    private long size(String database) throws Exception {
        return Long.parseLong(query("SELECT pg_database_size('" + database + "')"));
    }

    private String query(String sql) throws Exception {
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String loadAverage() throws IOException {
        String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
        return parts[0] + " " + parts[1] + " " + parts[2];
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static String mib(long bytes) {
        return String.format("%.0f MiB", bytes / 1048576.0);
    }

    private void close() {
        clis.close();
        s3.stop();
        pg.stop();
        TempDirs.delete(work);
    }
}
