package io.nomadcamel.jobs.trivy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import io.nomadcamel.jobs.store.Database;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Scans this application stored as 'ok' before V9 read 'success' after it, as the original workers wrote and
 * dashboards query, on both databases (the migration is in db/migration/common, which both vendors run).
 */
class ScanStatusMigrationTest {

    @Test
    void oldOkRowsBecomeSuccessOnPostgresql() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        pg.createDatabase("scan_status_migration");
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(pg.jdbcUrl("scan_status_migration"));
        ds.setUser(pg.user());
        assertMigrated(ds, "postgresql");
    }

    @Test
    void oldOkRowsBecomeSuccessOnH2() throws Exception {
        Path dir = TempDirs.create("scan-status-h2");
        try {
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL("jdbc:h2:file:" + dir.resolve("db") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
            ds.setUser("sa");
            assertMigrated(ds, "h2");
        } finally {
            TempDirs.delete(dir);
        }
    }

    private static void assertMigrated(DataSource ds, String vendor) throws Exception {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/common", "classpath:db/migration/" + vendor)
                .target("7").load().migrate();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String status : List.of("ok", "pull_failed", "ok", "error")) {
                s.executeUpdate("INSERT INTO scans (image, status, attempts, scanned_at) VALUES ('app:1', '" + status
                        + "', 1, CURRENT_TIMESTAMP)");
            }
        }
        Database.migrate(ds);
        List<String> statuses = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT status FROM scans ORDER BY id")) {
            while (rs.next()) {
                statuses.add(rs.getString(1));
            }
        }
        assertEquals(List.of("success", "pull_failed", "success", "error"), statuses);
    }
}
