package io.nomadcamel.jobs.backup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.ProcStats;
import io.nomadcamel.jobs.testsupport.S3ProxyServer;

/**
 * Benchmark of the restore drill (bench/drill.sh, figures in bench/README.md): 4 databases of ~200 MiB backed up once,
 * then, alternating in the same run, the drill (concurrency 1, source local and source s3) versus {@code pg_restore}
 * by hand into fresh databases, one after the other, with the same flags. Everything real: PostgreSQL 15, S3Proxy,
 * the backup and restore-drill routes in a Camel context (BackupRig).
 */
public final class DrillBench {

    private final PostgresServer pg = new PostgresServer();
    private final S3ProxyServer s3 = new S3ProxyServer();

    public static void main(String[] args) throws Exception {
        new DrillBench().run(Integer.getInteger("bench.databases", 4), Long.getLong("bench.rows", 1_130_000L),
                Integer.getInteger("bench.rounds", 5), Integer.getInteger("bench.warmup", 1));
    }

    /** {@code warmup} rounds first, printed but not counted: the drill's first run loads and compiles its classes. */
    private void run(int databases, long rows, int rounds, int warmup) throws Exception {
        pg.start();
        s3.start();
        s3.createBucket("bench");
        try (BackupRig rig = new BackupRig(pg, s3, "bench").start()) {
            System.out.printf("nomad-camel-jobs restore drill benchmark, %s%n", Instant.now());
            System.out.printf("machine: %d CPUs, %s %s; load average %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.vm.name"), System.getProperty("java.version"),
                    ProcStats.loadAverage());
            pg.createDatabase("bench_template");
            pg.execute("bench_template", "CREATE TABLE items AS SELECT g AS id, md5(g::text) AS a, "
                    + "md5((g * 7)::text) AS b, now() - g * interval '1 second' AS at, "
                    + "repeat(chr(65 + (g % 26)::int), 40) AS c FROM generate_series(1, " + rows + ") g",
                    "ALTER TABLE items ADD PRIMARY KEY (id)", "VACUUM ANALYZE");
            for (int i = 1; i <= databases; i++) {
                pg.execute("postgres", "CREATE DATABASE bench_" + i + " TEMPLATE bench_template");
            }
            pg.execute("postgres", "DROP DATABASE bench_template");
            System.out.printf("%d databases of %s each (%d rows)%n", databases, BackupBench.mib(size("bench_1")), rows);
            BackupRig.Outcome backup = rig.backup(Map.of("dump_concurrency", 4));
            if (!backup.state().equals("SUCCEEDED")) {
                throw new IllegalStateException("backup " + backup.state() + ": " + backup.error());
            }
            List<String> names = new ArrayList<>();
            List<Path> dumps = new ArrayList<>();
            for (JsonNode db : backup.result().path("postgres_databases")) {
                if (db.path("database").asText().startsWith("bench_")) {
                    names.add(db.path("database").asText());
                    dumps.add(Path.of(db.path("local_path").asText()));
                }
            }
            System.out.printf("dumps: %s each%n%n", BackupBench.mib(Files.size(dumps.get(0))));
            List<Double> byHand = new ArrayList<>();
            List<Double> local = new ArrayList<>();
            List<Double> fromS3 = new ArrayList<>();
            for (int round = 1 - warmup; round <= rounds; round++) {
                double h = 0;
                double l = 0;
                double s = 0;
                for (int step = 0; step < 3; step++) {
                    switch (Math.floorMod(round + step, 3)) {
                        case 0 -> h = byHand(dumps);
                        case 1 -> l = drill(rig, "local", names);
                        default -> s = drill(rig, "s3", names);
                    }
                }
                if (round > 0) {
                    byHand.add(h);
                    local.add(l);
                    fromS3.add(s);
                }
                System.out.printf("    " + (round > 0 ? "round " + round : "warm-up") + ": pg_restore by hand %.2f s; "
                        + "drill (local) %.2f s (ratio %.3f); drill (s3) %.2f s (ratio %.3f); load average %s%n",
                        h, l, l / h, s, s / h, ProcStats.loadAverage());
            }
            double hand = BackupBench.median(byHand);
            System.out.printf("    median of %d: by hand %.2f s, drill (local) %.2f s (ratio %.3f, target <= 1.1), "
                    + "drill (s3) %.2f s (ratio %.3f)%n", rounds, hand, BackupBench.median(local),
                    BackupBench.median(local) / hand, BackupBench.median(fromS3), BackupBench.median(fromS3) / hand);
        } finally {
            s3.stop();
            pg.stop();
        }
    }

    private static double drill(BackupRig rig, String source, List<String> names) {
        long t0 = System.nanoTime();
        BackupRig.Outcome run = rig.drill(Map.of("source", source, "databases", names, "concurrency", 1));
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!run.state().equals("SUCCEEDED")) {
            throw new IllegalStateException("drill " + run.state() + ": " + run.error());
        }
        return seconds;
    }

    /** What an operator would type: a fresh database, pg_restore with the drill's flags, drop; one at a time. */
    private double byHand(List<Path> dumps) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < dumps.size(); i++) {
            String db = "by_hand_" + i;
            pg.execute("postgres", "CREATE DATABASE " + db);
            Process p = new ProcessBuilder(pg.binDir().resolve("pg_restore").toString(), "--host=127.0.0.1",
                    "--port=" + pg.port(), "--username=" + pg.user(), "--no-owner", "--no-privileges",
                    "--exit-on-error", "--dbname=" + db, dumps.get(i).toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("pg_restore failed: " + out);
            }
            pg.execute("postgres", "DROP DATABASE " + db);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private long size(String database) throws Exception {
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_database_size('" + database + "')")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
