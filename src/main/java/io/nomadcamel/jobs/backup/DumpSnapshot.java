package io.nomadcamel.jobs.backup;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import io.nomadcamel.jobs.postgres.ManagedServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot one database is dumped in: a REPEATABLE READ transaction on a connection of its own exports it
 * ({@code pg_export_snapshot()}) and stays open while pg_dump reads the same snapshot ({@code --snapshot=<id>});
 * once pg_dump is done, every user table's rows are counted in that snapshot, so the counts are exactly the rows the
 * dump holds, whatever was written to the database meanwhile. Counting after the dump, not before, leaves the
 * waiting for table locks to pg_dump (its {@code --lock-wait-timeout}, its error). Closing ends the transaction.
 */
final class DumpSnapshot implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DumpSnapshot.class);

    private final Connection connection;
    private final String id;

    private DumpSnapshot(Connection connection, String id) {
        this.connection = connection;
        this.id = id;
    }

    static DumpSnapshot open(BackupSettings settings, String database) throws SQLException {
        // not the run's pg application name: the sessions a killed pg_dump leaves are ended by that name
        Connection c = ManagedServer.connect(settings.server(), database, "nomad-camel-jobs backup snapshot", null);
        try {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (Statement st = c.createStatement()) {
                // the counts wait for a lock no longer than pg_dump itself would
                long lockWait = settings.lockWaitTimeout().map(d -> d.toMillis()).orElse(0L);
                st.execute("SET LOCAL lock_timeout = " + lockWait);
                String id;
                try (ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
                    rs.next();
                    id = rs.getString(1);
                }
                return new DumpSnapshot(c, id);
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    String id() {
        return id;
    }

    /** Every user table's rows in the snapshot. */
    Map<String, Long> countRows() throws SQLException {
        return TableCounts.of(connection);
    }

    @Override
    public void close() {
        try (connection) {
            if (!connection.isClosed()) { // a stop closes it first (the run tracks it)
                connection.rollback();
            }
        } catch (SQLException e) {
            LOG.warn("Ending a dump's snapshot transaction failed: {}", e.getMessage());
        }
    }
}
