package io.nomadcamel.jobs.pgmaintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * routes/postgres-maintenance.camel.yaml against the real PostgreSQL: every database (awkward names included) gets
 * {@code last_vacuum} and {@code last_analyze} on its tables; at most {@code concurrency} VACUUM run at once, seen in
 * pg_stat_activity while the test holds a lock on a table of each database (VACUUM waits for it); a failing database
 * fails the run after the others; a stop cancels the VACUUM the test's lock keeps waiting.
 */
class PostgresMaintenanceTest {

    private static final String TOKEN = "maintenance-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> DATABASES = List.of("maint app", "maint it's \"quoted\"", "maint données ☃",
            "maint x=y dbname=postgres", "maint zz");
    private static final String BROKEN = "maint broken";

    private static PostgresServer pg;
    private static AppProcess app;
    private final List<Connection> lockHolders = new ArrayList<>();

    @BeforeAll
    static void start() {
        pg = PostgresServer.shared();
        Map<String, String> env = new HashMap<>();
        env.put("PG_HOST", "127.0.0.1");
        env.put("PG_PORT", String.valueOf(pg.port()));
        env.put("PG_USER", pg.user());
        env.put("API_TOKEN", TOKEN);
        env.put("SCHEDULER_POLL_INTERVAL", "200ms");
        app = AppProcess.start(env, "jobs.maint.type=postgres-maintenance\njobs.maint.timeout=5m\n")
                .awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (pg != null) {
            pg.execute("postgres", "DROP DATABASE IF EXISTS \"" + BROKEN + "\" WITH (FORCE)");
            DATABASES.forEach(d -> pg.execute("postgres", "DROP DATABASE IF EXISTS " + quote(d) + " WITH (FORCE)"));
        }
    }

    @BeforeEach
    void freshDatabases() {
        pg.execute("postgres", "DROP DATABASE IF EXISTS \"" + BROKEN + "\" WITH (FORCE)");
        for (String d : DATABASES) {
            pg.createDatabase(d);
            pg.execute(d, "CREATE TABLE items (id bigserial PRIMARY KEY, label text)",
                    "CREATE TABLE \"Odd Table\" (k int)",
                    "INSERT INTO items (label) SELECT 'item ' || g FROM generate_series(1, 500) g",
                    "INSERT INTO \"Odd Table\" SELECT g FROM generate_series(1, 20) g");
        }
    }

    @AfterEach
    void releaseLocks() {
        lockHolders.forEach(c -> {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the test is over
            }
        });
        lockHolders.clear();
    }

    @Test
    void vacuumsAndAnalysesEveryDatabaseAtMostConcurrencyAtOnce() throws Exception {
        for (String d : DATABASES) {
            holdLock(d); // each database's VACUUM waits for the test
        }
        Timestamp before = serverNow();
        long id = trigger("{\"concurrency\":2}");
        String appName = "nomad-camel-jobs postgres-maintenance run " + id;
        AtomicInteger most = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            try (Connection c = pg.connect("postgres")) {
                while (!Thread.currentThread().isInterrupted()) {
                    most.accumulateAndGet(sessions(c, appName, true), Math::max);
                    Thread.sleep(10);
                }
            } catch (InterruptedException | SQLException e) {
                // sampling ends with the test
            }
        });
        sampler.start();
        try {
            awaitWaitingOnLock(appName, 2);
            Thread.sleep(1000); // were a third VACUUM allowed, it would start (and wait on its lock) meanwhile
            try (Connection c = pg.connect("postgres")) {
                assertEquals(2, sessions(c, appName, false), "two sessions, both waiting for the test's locks");
                assertEquals(2, sessions(c, appName, true));
            }
            while (!lockHolders.isEmpty()) {
                lockHolders.remove(0).close();
                Thread.sleep(300);
            }
            JsonNode run = awaitFinished(id);
            assertEquals("SUCCEEDED", run.get("state").asText(), run.toString());
            assertEquals(2, run.at("/result/concurrency").asInt());
            List<String> vacuumed = new ArrayList<>();
            for (JsonNode d : run.at("/result/databases")) {
                assertTrue(d.get("error").isNull(), d.toString());
                assertTrue(d.get("seconds").asDouble() >= 0, d.toString());
                vacuumed.add(d.get("name").asText());
            }
            assertTrue(vacuumed.containsAll(DATABASES), vacuumed.toString());
            assertTrue(vacuumed.contains("postgres"), vacuumed.toString());
        } finally {
            sampler.interrupt();
            sampler.join();
        }
        assertEquals(2, most.get(), "at most concurrency VACUUM statements at once, and that many");
        for (String d : DATABASES) {
            awaitVacuumedAndAnalysedSince(d, before);
        }
    }

    @Test
    void aRestoreDrillsScratchDatabaseIsLeftAloneAndAnOperatorsLookalikeIsVacuumed() throws Exception {
        String scratch = "ncj_drill_7_1";
        String lookalike = "ncj_drill_old";
        pg.createDatabase(scratch);
        pg.createDatabase(lookalike);
        try {
            JsonNode run = awaitFinished(trigger("{\"concurrency\":2}"));

            assertEquals("SUCCEEDED", run.get("state").asText(), run.toString());
            List<String> vacuumed = new ArrayList<>();
            run.at("/result/databases").forEach(d -> vacuumed.add(d.get("name").asText()));
            assertTrue(vacuumed.contains(lookalike) && vacuumed.containsAll(DATABASES), vacuumed.toString());
            assertFalse(vacuumed.contains(scratch), "a drill restores into it and drops it: " + vacuumed);
        } finally {
            pg.execute("postgres", "DROP DATABASE IF EXISTS " + scratch + " WITH (FORCE)",
                    "DROP DATABASE IF EXISTS " + lookalike + " WITH (FORCE)");
        }
    }

    @Test
    void aFailingDatabaseFailsTheRunAfterTheOthersWereVacuumed() throws Exception {
        pg.createDatabase(BROKEN);
        pg.execute(BROKEN, "CREATE TABLE t (k int)");
        // its VACUUM cannot get the table's lock: an error after 200 ms
        pg.execute("postgres", "ALTER DATABASE \"" + BROKEN + "\" SET lock_timeout = '200ms'");
        holdLock(BROKEN, "t");
        Timestamp before = serverNow();
        long id = trigger("{\"concurrency\":2}");
        JsonNode run = awaitFinished(id);

        assertEquals("FAILED", run.get("state").asText(), run.toString());
        String error = run.get("error").asText();
        assertTrue(error.contains(BROKEN) && error.contains("lock timeout"), error);
        assertTrue(error.startsWith("VACUUM (ANALYZE) failed in 1 of "), error);
        int ok = 0;
        for (JsonNode d : run.at("/result/databases")) {
            if (d.get("name").asText().equals(BROKEN)) {
                assertTrue(d.get("error").asText().contains("lock timeout"), d.toString());
            } else {
                assertTrue(d.get("error").isNull(), d.toString());
                ok += DATABASES.contains(d.get("name").asText()) ? 1 : 0;
            }
        }
        assertEquals(DATABASES.size(), ok, "every other database was vacuumed: " + run.get("result"));
        for (String d : DATABASES) {
            awaitVacuumedAndAnalysedSince(d, before);
        }
    }

    @Test
    void aStopCancelsTheRunningVacuum() throws Exception {
        holdLock(DATABASES.get(0));
        long id = trigger("{\"concurrency\":1}");
        String appName = "nomad-camel-jobs postgres-maintenance run " + id;
        List<Integer> pids = awaitWaitingOnLock(appName, 1);

        HttpResponse<String> stop = app.api("POST", "/api/runs/" + id + "/stop", null, TOKEN);
        assertEquals(202, stop.statusCode(), stop.body());
        JsonNode run = awaitFinished(id);

        assertEquals("CANCELLED", run.get("state").asText(), run.toString());
        try (Connection c = pg.connect("postgres")) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((backendAlive(c, pids.get(0)) || sessions(c, appName, false) > 0)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(!backendAlive(c, pids.get(0)), "the VACUUM's backend is gone while the test still holds "
                    + "its lock");
            assertEquals(0, sessions(c, appName, false), "no session of the run is left");
        }
        JsonNode locked = null;
        for (JsonNode d : run.at("/result/databases")) {
            locked = d.get("name").asText().equals(DATABASES.get(0)) ? d : locked;
        }
        assertTrue(locked != null, "the stopped database is in the result: " + run);
        assertTrue(locked.get("error").asText().contains("canceling statement due to user request"), locked.toString());
    }

    /** An open transaction of the test holding a lock VACUUM waits for, on a table of {@code database}. */
    private void holdLock(String database) throws SQLException {
        holdLock(database, "items");
    }

    private void holdLock(String database, String table) throws SQLException {
        Connection c = pg.connect(database);
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE " + table + " IN SHARE UPDATE EXCLUSIVE MODE");
        }
        lockHolders.add(c);
    }

    /**
     * The run's sessions, or only those running a statement (a session whose VACUUM is over may still show for a
     * moment as idle while its backend exits after the client closed it).
     */
    private static int sessions(Connection c, String appName, boolean activeOnly) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?"
                + (activeOnly ? " AND state = 'active'" : ""))) {
            s.setString(1, appName);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Waits until {@code count} VACUUM of the run wait for a lock; their backend pids. */
    private static List<Integer> awaitWaitingOnLock(String appName, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (Connection c = pg.connect("postgres"); PreparedStatement s = c.prepareStatement("SELECT pid FROM "
                + "pg_stat_activity WHERE application_name = ? AND wait_event_type = 'Lock' AND query LIKE 'VACUUM%'")) {
            s.setString(1, appName);
            while (true) {
                List<Integer> pids = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        pids.add(rs.getInt(1));
                    }
                }
                if (pids.size() >= count) {
                    return pids;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(count + " VACUUM of " + appName + " never waited on a lock; app:\n"
                            + tail(app.output()));
                }
                Thread.sleep(50);
            }
        }
    }

    private static boolean backendAlive(Connection c, int pid) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_stat_activity WHERE pid = ?")) {
            s.setInt(1, pid);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Every table of the database has last_vacuum and last_analyze from after {@code since}. */
    private static void awaitVacuumedAndAnalysedSince(String database, Timestamp since) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String state = "";
        try (Connection c = pg.connect(database); PreparedStatement s = c.prepareStatement("SELECT relname, "
                + "last_vacuum >= ? AND last_analyze >= ? FROM pg_stat_user_tables ORDER BY relname")) {
            s.setTimestamp(1, since);
            s.setTimestamp(2, since);
            while (System.nanoTime() < deadline) {
                Map<String, Boolean> done = new java.util.TreeMap<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        done.put(rs.getString(1), rs.getBoolean(2) && !rs.wasNull());
                    }
                }
                state = done.toString();
                if (done.keySet().equals(java.util.Set.of("Odd Table", "items"))
                        && done.values().stream().allMatch(v -> v)) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError(database + ": not every table vacuumed and analysed: " + state);
    }

    private static Timestamp serverNow() throws SQLException {
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT now()")) {
            rs.next();
            return rs.getTimestamp(1);
        }
    }

    private static long trigger(String override) throws Exception {
        HttpResponse<String> r = app.api("POST", "/api/jobs/maint/runs", override, TOKEN);
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("run_id").asLong();
    }

    private static JsonNode awaitFinished(long id) throws Exception {
        return awaitRun(id, r -> !r.get("state").asText().equals("PENDING")
                && !r.get("state").asText().equals("RUNNING"));
    }

    private static JsonNode awaitRun(long id, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            JsonNode run = JSON.readTree(app.api("GET", "/api/runs/" + id, null, null).body());
            if (condition.test(run)) {
                return run;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + id + " did not finish: " + run + "\n" + tail(app.output()));
            }
            Thread.sleep(100);
        }
    }

    private static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static String tail(String text) {
        return text.length() <= 6000 ? text : text.substring(text.length() - 6000);
    }
}
