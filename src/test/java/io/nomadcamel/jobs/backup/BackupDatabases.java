package io.nomadcamel.jobs.backup;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.nomadcamel.jobs.testsupport.PostgresServer;

/** Test databases with awkward names and known contents, and the checks that a dump restores them. */
final class BackupDatabases {

    /** Name → rows in its table: spaces, quotes, unicode, a name that looks like a connection string. */
    static final Map<String, Integer> AWKWARD = new LinkedHashMap<>();

    static {
        AWKWARD.put("app", 1200);
        AWKWARD.put("billing data", 300);
        AWKWARD.put("it's \"quoted\"", 45);
        AWKWARD.put("données ünicode ☃", 77);
        AWKWARD.put("x=y dbname=postgres", 12);
    }

    private BackupDatabases() {
    }

    static void create(PostgresServer pg, Map<String, Integer> databases) {
        databases.forEach((name, rows) -> {
            pg.createDatabase(name);
            pg.execute(name,
                    "CREATE TABLE items (id bigserial PRIMARY KEY, label text NOT NULL, payload jsonb)",
                    "CREATE TABLE \"Odd Table\" (k int)",
                    "INSERT INTO items (label, payload) SELECT 'item ' || g, jsonb_build_object('n', g) "
                            + "FROM generate_series(1, " + rows + ") g",
                    "INSERT INTO \"Odd Table\" SELECT g FROM generate_series(1, " + (rows % 7 + 1) + ") g");
        });
    }

    /** Every database a backup must dump (design §5), as the server lists them: not a drill's scratch database. */
    static List<String> listed(PostgresServer pg) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datistemplate = false"
                        + " AND datallowconn AND datname !~ '^ncj_drill_[0-9]+_[0-9]+$' ORDER BY datname")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /** The restore drills' scratch databases present on the server. */
    static List<String> scratchDatabases(PostgresServer pg) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'ncj\\_drill\\_%'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /** Table → row count, for every user table of the database. */
    static Map<String, Long> rowCounts(PostgresServer pg, String database) throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) "
                    + "FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    /** Restores a custom-format dump with pg_restore into a fresh database. */
    static void restore(PostgresServer pg, Path dump, String intoDatabase) throws Exception {
        pg.createDatabase(intoDatabase);
        Process p = new ProcessBuilder(pg.binDir().resolve("pg_restore").toString(), "--host=127.0.0.1",
                "--port=" + pg.port(), "--username=" + pg.user(), "--no-owner", "--exit-on-error",
                "--dbname=" + intoDatabase, dump.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError("pg_restore of " + dump + " failed:\n" + out);
        }
    }
}
