package io.nomadcamel.jobs.backup;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The row count of every user table of a database, keyed by the table's name as the server quotes it
 * ({@code public."Odd Table"}): what a dump recorded in its snapshot and what a drill finds after restoring it. The
 * names come from the server's own {@code quote_ident}, so no table name, however awkward, can change the statement.
 */
public final class TableCounts {

    private static final String USER_TABLES = "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'"
            + " AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%' AND NOT c.relispartition";

    private TableCounts() {
    }

    /** In the connection's current transaction (and so in its snapshot). */
    public static Map<String, Long> of(Connection c) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(USER_TABLES)) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }
}
