package io.nomadcamel.jobs.scheduler;

import java.util.HashMap;
import java.util.Map;

import io.nomadcamel.jobs.testsupport.PostgresServer;
import org.junit.jupiter.api.TestInfo;

/**
 * A fresh PostgreSQL database for one test method (named after it), the application's environment on it with a
 * quick scheduler poll, and its runs table to assert on.
 */
record TestDatabase(String database, Map<String, String> vars, RunRows rows) {

    static TestDatabase forTest(TestInfo test, String prefix, String token, Map<String, String> extraVars) {
        PostgresServer pg = PostgresServer.shared();
        String db = prefix + "_" + test.getTestMethod().orElseThrow().getName().toLowerCase();
        Map<String, String> vars = new HashMap<>(Map.of("DB_URL", pg.createDatabase(db), "DB_USER", pg.user(),
                "API_TOKEN", token, "SCHEDULER_POLL_INTERVAL", "200ms"));
        vars.putAll(extraVars);
        return new TestDatabase(db, Map.copyOf(vars), new RunRows(pg, db));
    }
}
