package io.nomadcamel.jobs.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.Test;

class PostgresServerTest {

    @Test
    void startsAnswersQueriesAndLeavesNothingBehind() throws Exception {
        PostgresServer pg = new PostgresServer();
        long pid;
        int port;
        Path log;
        try (pg) {
            pg.start();
            port = pg.port();
            pid = pg.process().pid();
            pg.createDatabase("harness check");
            pg.execute("harness check", "CREATE TABLE t (n int)", "INSERT INTO t VALUES (1), (2)");
            try (Connection c = pg.connect("harness check"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*), current_setting('server_version_num')::int FROM t")) {
                assertTrue(rs.next());
                assertEquals(2, rs.getInt(1));
                // the server and the pg_dump the backup job runs come from one installation
                assertEquals(pg.binDir().getParent().getFileName().toString(), String.valueOf(rs.getInt(2) / 10000),
                        "PostgreSQL major version");
            }
            log = pg.process().log();
            List<ProcessHandle> backends = pg.process().process().descendants().toList();
            assertFalse(backends.isEmpty(), "postmaster children are visible, so the stop check below means something");
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "postgres process left running");
        assertFalse(Ports.listening(port), "something still listens on " + port);
        assertFalse(Files.exists(log), "log file left behind");
    }
}
