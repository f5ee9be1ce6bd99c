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
import io.nomadcamel.jobs.testsupport.ProcStats;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.Programs;
import io.nomadcamel.jobs.testsupport.S3ProxyServer;
import io.nomadcamel.jobs.testsupport.TempDirs;

/**
 * Benchmark of the backup job (bench/backup.sh, bench/README.md), not a test:
 * (1) the dump phase of 8 databases of ~200 MB at dump_concurrency 4, as the application runs it (a service started
 * once, that has backed up before; its first backup after the start reported apart), versus
 * {@code xargs -P4 pg_dump -Fc} of the same databases on the same server, alternating, in the same run, with the CPU
 * seconds each variant cost the machine and the application's JVM (by thread);
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
    /** The machine's CPU seconds over the last xargs variant, start to end (its checks included). */
    private String lastXargsCpu;

    public static void main(String[] args) throws Exception {
        int databases = Integer.getInteger("bench.databases", 8);
        long rows = Long.getLong("bench.rows", 1_130_000L);
        int rounds = Integer.getInteger("bench.rounds", 7);
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
        // the service as it runs at 01:00: started long before, and it has backed up before (its code compiled);
        // each application below runs one backup first, reported as the first backup after a start
        try (App service = startApp(true); App serviceWithoutS3 = startApp(false)) {
            Run first = service.backup(4);
            Run firstWithoutS3 = serviceWithoutS3.backup(4);
            System.out.printf("    first backup after a start (its code not compiled yet): dump phase %.2f s, %s;"
                    + " without S3 uploads %.2f s, %s%n", first.result.path("postgres_dump_seconds").asDouble(),
                    first.cpu, firstWithoutS3.result.path("postgres_dump_seconds").asDouble(), firstWithoutS3.cpu);
            dumpRounds(names, rounds, service, serviceWithoutS3);
        }
        for (int i = 1; i <= databases; i++) {
            pg.execute("postgres", "DROP DATABASE bench_" + i);
        }
        if (!Boolean.parseBoolean(System.getProperty("bench.memory", "true"))) {
            return;
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

    /** Part (1)'s rounds: the four variants, in an order rotating from round to round, then the medians. */
    private void dumpRounds(List<String> names, int rounds, App service, App serviceWithoutS3) throws Exception {
        List<Double> xargs = new ArrayList<>();
        List<Double> app = new ArrayList<>();
        List<Double> appNoS3 = new ArrayList<>();
        List<Double> byHand = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            // the order rotates from round to round, so that no variant always runs first or last
            double x = 0;
            double hand = 0;
            String xargsCpu = null;
            String handCpu = null;
            Run withS3 = null;
            Run withoutS3 = null;
            for (int step = 0; step < 4; step++) {
                switch ((round + step) % 4) {
                    case 0 -> {
                        x = xargsDump(names, false);
                        xargsCpu = lastXargsCpu;
                    }
                    case 1 -> withS3 = service.backup(4);
                    case 2 -> {
                        hand = xargsDump(names, true);
                        handCpu = lastXargsCpu;
                    }
                    default -> withoutS3 = serviceWithoutS3.backup(4);
                }
            }
            JsonNode result = withS3.result;
            JsonNode offline = withoutS3.result;
            xargs.add(x);
            byHand.add(hand);
            app.add(result.path("postgres_dump_seconds").asDouble());
            appNoS3.add(offline.path("postgres_dump_seconds").asDouble());
            System.out.printf("    round %d: xargs -P4 pg_dump -Fc %.2f s; application dump phase %.2f s (ratio %.3f, "
                    + "whole run %s s); without S3 uploads %.2f s (ratio %.3f); the same work by hand %.2f s "
                    + "(application / by hand %.3f); load average %s%n", round, x, app.get(round - 1),
                    app.get(round - 1) / x, result.path("bench_run_seconds").asText(), appNoS3.get(round - 1),
                    appNoS3.get(round - 1) / x, hand, app.get(round - 1) / hand, ProcStats.loadAverage());
            System.out.printf("      CPU of each whole variant: xargs %s; by hand %s; application: %s; without S3: %s%n",
                    xargsCpu, handCpu, withS3.cpu, withoutS3.cpu);
        }
        System.out.printf("    median of %d: xargs %.2f s, application %.2f s (ratio %.3f, target <= 1.05), "
                + "application without S3 uploads %.2f s (ratio %.3f), the same work by hand %.2f s "
                + "(application / by hand %.3f)%n", rounds, median(xargs), median(app),
                median(app) / median(xargs), median(appNoS3), median(appNoS3) / median(xargs), median(byHand),
                median(app) / median(byHand));
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            ratios.add(app.get(i) / xargs.get(i));
        }
        System.out.printf("    median of the rounds' own ratios: application / xargs %.3f%n%n", median(ratios));
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
        long[] machineBefore = ProcStats.machineTicks();
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("xargs pg_dump failed: " + output);
        }
        lastXargsCpu = ProcStats.machineSince(machineBefore);
        long lastEnd = Files.readAllLines(out.resolve("ends.txt")).stream().mapToLong(Long::parseLong).max()
                .orElseThrow();
        TempDirs.delete(out);
        return (lastEnd - startEpochNanos) / 1e9;
    }

    /** Every user table's exact row count in one statement (no table name in the shell command). */
    private static final String COUNT_EVERY_TABLE = "SELECT count(*), sum((xpath('/row/c/text()', query_to_xml("
            + "format('SELECT count(*) AS c FROM %I.%I', schemaname, tablename), false, true, '')))[1]::text::bigint)"
            + " FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')";

    private record Run(JsonNode result, long peakRssBytes, String cpu) {
    }

    /** A backup in an application started for it alone, stopped after it: its VmHWM is the run's peak. */
    private Run backup(int concurrency, boolean withS3) throws Exception {
        try (App app = startApp(withS3)) {
            return app.backup(concurrency);
        }
    }

    /**
     * Starts the application as operators do, with its own data and backup folders. Without S3, the endpoint is a
     * closed port and S3_RETRIES=0: every upload fails at once (warnings), for the diagnostic row "without S3
     * uploads".
     */
    private App startApp(boolean withS3) throws Exception {
        Path backups = TempDirs.create("bench-backups");
        Path data = TempDirs.create("bench-app-data");
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
        ChildProcess process = ChildProcess.start("nomad-camel-jobs", command, env, Path.of("").toAbsolutePath(),
                work.resolve("app-" + port + ".log"));
        App app = new App(process, port, withS3, backups, data);
        try {
            awaitReady(process, management);
        } catch (Exception | Error e) {
            app.close();
            throw e;
        }
        return app;
    }

    /** A started application: triggers backup-daily and waits for it, as often as asked. */
    private final class App implements AutoCloseable {
        private final ChildProcess process;
        private final int port;
        private final boolean withS3;
        private final Path backups;
        private final Path data;

        App(ChildProcess process, int port, boolean withS3, Path backups, Path data) {
            this.process = process;
            this.port = port;
            this.withS3 = withS3;
            this.backups = backups;
            this.data = data;
        }

        Run backup(int concurrency) throws Exception {
            if (settle) {
                ProcStats.awaitIdle(process.pid());
            }
            Map<String, Long> threadsBefore = ProcStats.threadTicks(process.pid());
            long[] machineBefore = ProcStats.machineTicks();
            long start = System.nanoTime();
            JsonNode trigger = JSON.readTree(call("POST", port, "/api/jobs/backup-daily/runs",
                    "{\"dump_concurrency\":" + concurrency + "}"));
            long id = trigger.path("run_id").asLong();
            JsonNode run;
            do {
                Thread.sleep(1000); // as the console's run view polls: the bench adds no more load than an operator

                run = JSON.readTree(call("GET", port, "/api/runs/" + id, null));
            } while (run.path("state").asText().equals("RUNNING") || run.path("state").asText().equals("PENDING"));
            double seconds = (System.nanoTime() - start) / 1e9;
            String cpu = ProcStats.cpuSummary(ProcStats.machineSince(machineBefore), threadsBefore,
                    ProcStats.threadTicks(process.pid()));
            if (!run.path("state").asText().equals("SUCCEEDED")
                    || withS3 && run.path("result").path("warnings").size() > 0) {
                throw new IllegalStateException("the backup run did not succeed: " + run);
            }
            ((com.fasterxml.jackson.databind.node.ObjectNode) run.path("result")).put("bench_run_seconds",
                    String.format("%.1f", seconds));
            return new Run(run.path("result"), ProcStats.peakRss(process.pid()), cpu);
        }

        @Override
        public void close() {
            process.close();
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

    private long size(String database) throws Exception {
        return Long.parseLong(query("SELECT pg_database_size('" + database + "')"));
    }

    private String query(String sql) throws Exception {
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
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
