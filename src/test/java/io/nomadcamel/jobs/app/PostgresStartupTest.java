package io.nomadcamel.jobs.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import org.junit.jupiter.api.Test;

/** With DB_URL set, the same start-up migrates a real PostgreSQL instead of the embedded database. */
class PostgresStartupTest {

    @Test
    void migratesPostgresqlAtStartUp() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String url = pg.createDatabase("jobs_startup");
        String password = "pg-password-d41d8c";
        try (AppProcess app = AppProcess.start(Map.of("DB_URL", url, "DB_USER", pg.user(), "DB_PASSWORD", password))) {
            app.awaitReady(Duration.ofSeconds(60));
            try (Connection c = pg.connect("jobs_startup"); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM flyway_schema_history WHERE success AND version = '1'")) {
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1));
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.tables "
                        + "WHERE table_schema = 'public' AND table_name IN ('instances', 'runs', 'qrtz_locks')")) {
                    assertTrue(rs.next());
                    assertEquals(3, rs.getInt(1), "common and PostgreSQL-only migrations created their tables");
                }
            }
            assertFalse(app.dataDir().resolve("nomad-camel-jobs.mv.db").toFile().exists(),
                    "no embedded database when DB_URL is set");
            app.stop();
            assertFalse(app.output().contains(password), "DB_PASSWORD appeared in the logs");
            assertTrue(app.output().contains("jdbc:postgresql://127.0.0.1:" + pg.port() + "/jobs_startup"),
                    "start-up names the database it uses");
        }
    }

    @Test
    void unreachableDatabaseFailsStartUpNamingIt() {
        String url = "jdbc:postgresql://127.0.0.1:1/nowhere";
        try (AppProcess app = AppProcess.start(Map.of("DB_URL", url))) {
            assertTrue(app.awaitExit(Duration.ofSeconds(60)) != 0, "start-up must fail");
            assertTrue(app.output().contains("127.0.0.1:1"), app.output());
        }
    }
}
