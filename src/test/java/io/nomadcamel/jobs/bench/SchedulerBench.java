package io.nomadcamel.jobs.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.ProcStats;
import org.junit.jupiter.api.Test;

/**
 * Not a test: the scheduler's benchmark (bench/README.md). Runs only with {@code mvn -Pbench test}, whose surefire
 * includes are {@code *Bench}; the default build never matches this name.
 *
 * <p>Measures, against a real PostgreSQL and the application as a child JVM: (a) trigger-to-RUNNING latency of a
 * no-op job over API triggers, from the runs table ({@code started_at - queued_at}) and as the HTTP round trip, one
 * client and then several; (b) how many queued no-op runs one queue drains per second, with run history in the same
 * table; (c) whether a one-shot run starts while many runs wait in a blocked queue. Figures go to stdout and to
 * target/bench/results.txt.
 */
class SchedulerBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "bench-token";
    private static final String DATABASE = "scheduler_bench";
    /** How long the run of (c) is given to start while the queue is blocked. */
    private static final long PROBE_WAIT_MILLIS = 2000;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int triggers = Integer.getInteger("bench.triggers", 1000);
    private final int warmup = Integer.getInteger("bench.warmup", 200);
    private final int clients = Integer.getInteger("bench.clients", 4);
    private final int drain = Integer.getInteger("bench.drain", 2000);
    private final int history = Integer.getInteger("bench.history", 100_000);
    private final String pollInterval = System.getProperty("bench.poll-interval", "");

    private final List<String> report = new ArrayList<>();
    private PostgresServer pg;
    private AppProcess app;

    @Test
    void triggerLatencyAndQueueDrainRate() throws Exception {
        pg = PostgresServer.shared();
        String url = pg.createDatabase(DATABASE);
        Map<String, String> env = new HashMap<>(Map.of("DB_URL", url, "DB_USER", pg.user(), "API_TOKEN", TOKEN));
        if (!pollInterval.isBlank()) {
            env.put("SCHEDULER_POLL_INTERVAL", pollInterval);
        }
        StringBuilder config = new StringBuilder()
                .append("jobs.bench-noop.type=test-noop\n")
                .append("jobs.bench-queued.type=test-noop\njobs.bench-queued.mode=queued\n")
                .append("jobs.bench-queued.queue=bench\njobs.bench-queued.timeout=1m\n")
                // holds the queue while the drain's runs are enqueued, so enqueueing and draining do not overlap
                .append("jobs.bench-blocker.type=test-sleep\njobs.bench-blocker.mode=queued\n")
                .append("jobs.bench-blocker.queue=bench\njobs.bench-blocker.timeout=10m\n")
                .append("jobs.bench-blocker.input={\"sleep_ms\": 600000}\n");
        for (int c = 0; c < clients; c++) {
            config.append("jobs.bench-noop-").append(c).append(".type=test-noop\n");
        }
        try (AppProcess started = AppProcess.start(env, config.toString())) {
            app = started;
            app.awaitReady(Duration.ofSeconds(90));
            line("nomad-camel-jobs scheduler benchmark, %s", Instant.now().atOffset(ZoneOffset.UTC));
            line("machine: %s, %d CPUs seen by the JVM, %s; PostgreSQL %s (%s)", cpuModel(),
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " "
                    + System.getProperty("java.version"), serverVersion(), setting("fsync") + ", "
                    + setting("synchronous_commit"));
            line("scheduler.poll-interval: %s", pollInterval.isBlank() ? "1s (default)" : pollInterval);
            line("load average before: %s (other work on the machine skews every figure)", loadAverage());
            seedHistory();
            sequentialTriggers();
            concurrentTriggers();
            queueDrain();
            line("");
            line("load average after: %s", loadAverage());
        } finally {
            Path out = Path.of("target", "bench", "results.txt");
            Files.createDirectories(out.getParent());
            Files.write(out, report);
            System.out.println("written to " + out.toAbsolutePath());
        }
    }

    /** Finished runs of another job, spread over the last 30 days (inside the retention the app applies). */
    private void seedHistory() throws Exception {
        long t0 = System.nanoTime();
        try (Connection c = pg.connect(DATABASE); Statement s = c.createStatement()) {
            s.execute("INSERT INTO runs (job_id, job_type, trigger_kind, state, attempt, timeout_ms, queued_at, "
                    + "started_at, finished_at, input, result) SELECT 'bench-history', 'test-noop', 'schedule', "
                    + "'SUCCEEDED', 1, 60000, t, t, t + interval '1 second', '{}', '{}' FROM (SELECT now() - "
                    + "(g * interval '1 second') * (30 * 86400.0 / " + Math.max(history, 1) + ") AS t FROM "
                    + "generate_series(1, " + history + ") g) h");
            s.execute("ANALYZE runs");
        }
        line("history: %d finished runs of another job in the runs table (%d ms to insert)", history,
                (System.nanoTime() - t0) / 1_000_000);
    }

    // ---- (a) trigger to RUNNING ---------------------------------------------------------------------------

    /** One client: trigger, wait for the run to end, trigger again (a one-shot job has one active run at most). */
    private void sequentialTriggers() throws Exception {
        List<Long> rttMicros = new ArrayList<>();
        long firstMeasured;
        try (Connection c = pg.connect(DATABASE)) {
            triggerAndWait(c, "bench-noop", warmup, new ArrayList<>());
            firstMeasured = maxRunId(c) + 1;
            triggerAndWait(c, "bench-noop", triggers, rttMicros);
        }
        List<Double> latency = dbLatencies("job_id = 'bench-noop' AND id >= " + firstMeasured);
        line("");
        line("(a) trigger -> RUNNING, 1 client, %d triggers of a no-op one-shot job (after %d warm-up triggers)",
                latency.size(), warmup);
        line("    started_at - queued_at (runs table): %s", percentiles(latency));
        line("    HTTP round trip of POST /api/jobs/{id}/runs:  %s", percentiles(micros(rttMicros)));
    }

    /** Several clients at once, each triggering its own job: the dispatcher now serves concurrent triggers. */
    private void concurrentTriggers() throws Exception {
        int each = triggers / clients;
        long firstMeasured;
        try (Connection c = pg.connect(DATABASE)) {
            firstMeasured = maxRunId(c) + 1;
        }
        List<Long> rttMicros = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int k = 0; k < clients; k++) {
            String job = "bench-noop-" + k;
            done.add(pool.submit(() -> {
                try (Connection c = pg.connect(DATABASE)) {
                    triggerAndWait(c, job, each, rttMicros);
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(10, TimeUnit.MINUTES);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        List<Double> latency = dbLatencies("job_id LIKE 'bench-noop-%' AND id >= " + firstMeasured);
        line("");
        line("(a') trigger -> RUNNING, %d clients at once, %d triggers each (%.0f runs/s end to end)", clients, each,
                latency.size() / seconds);
        line("    started_at - queued_at (runs table): %s", percentiles(latency));
        line("    HTTP round trip of POST /api/jobs/{id}/runs:  %s", percentiles(micros(rttMicros)));
    }

    private void triggerAndWait(Connection c, String job, int count, List<Long> rttMicros) throws Exception {
        try (PreparedStatement finished = c.prepareStatement("SELECT finished_at IS NOT NULL FROM runs WHERE id = ?")) {
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = post("/api/jobs/" + job + "/runs", null);
                rttMicros.add((System.nanoTime() - t0) / 1000);
                if (r.statusCode() != 202) {
                    throw new IllegalStateException("trigger of " + job + " answered " + r.statusCode() + ": "
                            + r.body());
                }
                long runId = JSON.readTree(r.body()).path("run_id").asLong();
                awaitFinished(finished, runId);
            }
        }
    }

    private static void awaitFinished(PreparedStatement finished, long runId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        finished.setLong(1, runId);
        while (System.nanoTime() < deadline) {
            try (ResultSet rs = finished.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    return;
                }
            }
            LockSupport.parkNanos(500_000);
        }
        throw new IllegalStateException("run " + runId + " did not finish within 30 s");
    }

    // ---- (b) queue drain ----------------------------------------------------------------------------------

    private void queueDrain() throws Exception {
        JsonNode blocker = JSON.readTree(post("/api/jobs/bench-blocker/runs", null).body());
        long blockerId = blocker.path("run_id").asLong();
        try (Connection c = pg.connect(DATABASE); PreparedStatement state =
                c.prepareStatement("SELECT state FROM runs WHERE id = ?")) {
            state.setLong(1, blockerId);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (ResultSet rs = state.executeQuery()) {
                    if (rs.next() && "RUNNING".equals(rs.getString(1))) {
                        break;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the blocker run " + blockerId + " did not start");
                }
                Thread.sleep(10);
            }
        }

        // enqueue behind the blocker, several clients at once
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        for (int k = 0; k < clients; k++) {
            int share = drain / clients + (k < drain % clients ? 1 : 0);
            done.add(pool.submit(() -> {
                for (int i = 0; i < share; i++) {
                    HttpResponse<String> r = post("/api/jobs/bench-queued/runs", null);
                    if (r.statusCode() != 202) {
                        throw new IllegalStateException("enqueue answered " + r.statusCode() + ": " + r.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(10, TimeUnit.MINUTES);
        }
        pool.shutdown();
        double enqueueSeconds = (System.nanoTime() - t0) / 1e9;

        // (c) a one-shot run triggered now must start at once: its job has no queue, the blocked queue is not its
        long probeId = JSON.readTree(post("/api/jobs/bench-noop/runs", null).body()).path("run_id").asLong();
        Thread.sleep(PROBE_WAIT_MILLIS);
        String probeState;
        try (Connection c = pg.connect(DATABASE); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT state FROM runs WHERE id = " + probeId)) {
            rs.next();
            probeState = rs.getString(1);
        }

        HttpResponse<String> stop = post("/api/runs/" + blockerId + "/stop", null);
        if (stop.statusCode() != 202) {
            throw new IllegalStateException("stopping the blocker answered " + stop.statusCode() + ": " + stop.body());
        }
        long waitStart = System.nanoTime();
        try (Connection c = pg.connect(DATABASE); Statement s = c.createStatement()) {
            while (true) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM runs WHERE job_id = 'bench-queued' "
                        + "AND finished_at IS NOT NULL")) {
                    rs.next();
                    if (rs.getLong(1) >= drain) {
                        break;
                    }
                }
                if (System.nanoTime() - waitStart > TimeUnit.MINUTES.toNanos(10)) {
                    throw new IllegalStateException("the queue did not drain within 10 minutes");
                }
                Thread.sleep(50);
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE state = 'SUCCEEDED'), "
                    + "EXTRACT(EPOCH FROM max(finished_at) - min(started_at)) FROM runs "
                    + "WHERE job_id = 'bench-queued'")) {
                rs.next();
                long runs = rs.getLong(1);
                long succeeded = rs.getLong(2);
                double seconds = rs.getDouble(3);
                line("");
                line("(b) queue drain: %d no-op runs enqueued in queue 'bench' by %d clients in %.2f s (%.0f/s), "
                        + "behind a blocking run", drain, clients, enqueueSeconds, drain / enqueueSeconds);
                line("    first start to last finish: %.3f s for %d runs (%d SUCCEEDED) = %.0f runs/s", seconds, runs,
                        succeeded, runs / seconds);
            }
            List<Double> gaps = new ArrayList<>();
            List<Double> durations = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT EXTRACT(EPOCH FROM started_at - lag(finished_at) OVER (ORDER BY "
                    + "started_at)) * 1000, EXTRACT(EPOCH FROM finished_at - started_at) * 1000 FROM runs "
                    + "WHERE job_id = 'bench-queued' ORDER BY started_at")) {
                while (rs.next()) {
                    double gap = rs.getDouble(1);
                    if (!rs.wasNull()) {
                        gaps.add(gap);
                    }
                    durations.add(rs.getDouble(2));
                }
            }
            line("    previous finished_at -> next started_at: %s", percentiles(gaps));
            line("    started_at -> finished_at of a no-op run: %s", percentiles(durations));
            awaitFinished(c.prepareStatement("SELECT finished_at IS NOT NULL FROM runs WHERE id = ?"), probeId);
            try (ResultSet rs = s.executeQuery("SELECT EXTRACT(EPOCH FROM p.started_at - p.queued_at) * 1000, "
                    + "(SELECT count(*) FROM runs q WHERE q.job_id = 'bench-queued' AND q.started_at < p.started_at) "
                    + "FROM runs p WHERE p.id = " + probeId)) {
                rs.next();
                line("");
                line("(c) a no-op one-shot run triggered while those %d runs waited behind the blocker:", drain);
                line("    state %d ms after its trigger: %s; started_at - queued_at = %.0f ms, after %d of the "
                        + "queued runs had started", PROBE_WAIT_MILLIS, probeState, rs.getDouble(1), rs.getLong(2));
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(app.url(path))).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<Double> dbLatencies(String where) throws Exception {
        List<Double> millis = new ArrayList<>();
        try (Connection c = pg.connect(DATABASE); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT EXTRACT(EPOCH FROM started_at - queued_at) * 1000 FROM runs WHERE " + where)) {
            while (rs.next()) {
                millis.add(rs.getDouble(1));
            }
        }
        return millis;
    }

    private static long maxRunId(Connection c) throws Exception {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM runs")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<Double> micros(List<Long> values) {
        List<Double> millis = new ArrayList<>();
        synchronized (values) {
            values.forEach(v -> millis.add(v / 1000.0));
        }
        return millis;
    }

    /** p50, p90, p99 and max in milliseconds (nearest-rank). */
    private static String percentiles(List<Double> millis) {
        if (millis.isEmpty()) {
            return "no samples";
        }
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        return String.format(Locale.ROOT, "n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms", sorted.size(),
                rank(sorted, 50), rank(sorted, 90), rank(sorted, 99), sorted.get(sorted.size() - 1));
    }

    private static double rank(List<Double> sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private void line(String format, Object... args) {
        String text = String.format(Locale.ROOT, format, args);
        report.add(text);
        System.out.println(text);
    }

    private String serverVersion() throws Exception {
        try (Connection c = pg.connect(DATABASE); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private String setting(String name) throws Exception {
        try (Connection c = pg.connect(DATABASE); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW " + name)) {
            rs.next();
            return name + "=" + rs.getString(1);
        }
    }

    private static String loadAverage() {
        try {
            return ProcStats.loadAverage();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }
}
