package io.nomadcamel.jobs.postgres;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server the jobs back up and maintain ({@link ServerSettings}: {@code PG_HOST}, {@code PG_PORT},
 * {@code PG_USER}, {@code PGPASSWORD}, {@code PG_DATABASE}), never the application's own database. Bound as
 * {@value #BEAN}: the DataSource of the routes' {@code jdbc:postgresServer} steps (the backup's and the maintenance's
 * list of databases, read in {@code PG_DATABASE}); {@link #connect(String, String)} opens a connection to any one
 * database for a job's own work. The settings are read at each connection, so a missing {@code PG_HOST} fails the run
 * that needs it, not start-up. A connection error (SQL state class 08) is retried three times, backoff
 * {@code PG_RETRY_DELAY} doubling up to a minute (design §5).
 *
 * <p>A database name is data: it reaches the driver as the {@code PGDBNAME} connection property, never SQL nor part
 * of the URL, so no name (spaces, quotes, {@code x=y dbname=postgres}) can lead to another database.
 */
public final class ManagedServer implements DataSource {

    /** The registry name the routes use. */
    public static final String BEAN = "postgresServer";

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(ManagedServer.class);
    private static final Duration MAX_DELAY = Duration.ofMinutes(1);
    /** Reading the list (and other short queries) may not hang a run: the server answers in far less. */
    public static final Duration SHORT_QUERY_SOCKET_TIMEOUT = Duration.ofSeconds(60);

    private final Supplier<ServerSettings> settings;

    public ManagedServer(Supplier<ServerSettings> settings) {
        this.settings = settings;
    }

    /** A connection to {@code PG_DATABASE}, for the routes' {@code jdbc:} steps. */
    @Override
    public Connection getConnection() throws SQLException {
        ServerSettings s = settings.get();
        return withRetries(s, () -> connect(s, s.database(), "nomad-camel-jobs", SHORT_QUERY_SOCKET_TIMEOUT));
    }

    /**
     * A connection to {@code database} whose session is named {@code applicationName} (pg_stat_activity), without a
     * socket timeout: the job's statement (a VACUUM) may rightly take hours; the run's stop and timeout end it.
     */
    public Connection connect(String database, String applicationName) throws SQLException {
        ServerSettings s = settings.get();
        return withRetries(s, () -> connect(s, database, applicationName, null));
    }

    /** {@code PG_DATABASE}, where the list of databases is read. */
    public String listingDatabase() {
        return settings.get().database();
    }

    /** The database names in the rows a route's {@code jdbc:postgresServer} listing answered (column datname). */
    public static List<String> databaseNames(List<Map<String, Object>> rows) {
        List<String> names = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            names.add(String.valueOf(row.get("datname")));
        }
        return names;
    }

    /** One connection, no retry; {@code socketTimeout} null: none. */
    public static Connection connect(ServerSettings s, String database, String applicationName,
            Duration socketTimeout) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", s.user());
        s.password().ifPresent(p -> props.setProperty("password", p));
        props.setProperty("PGDBNAME", database);
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("connectTimeout", "10");
        if (socketTimeout != null) {
            props.setProperty("socketTimeout", String.valueOf(socketTimeout.toSeconds()));
        }
        String host = s.host().contains(":") && !s.host().startsWith("[") ? "[" + s.host() + "]" : s.host();
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + s.port() + "/", props);
    }

    private interface Connect {
        Connection open() throws SQLException;
    }

    private static Connection withRetries(ServerSettings s, Connect connect) throws SQLException {
        Duration delay = s.retryDelay();
        for (int attempt = 1;; attempt++) {
            try {
                return connect.open();
            } catch (SQLException e) {
                if (attempt > 3 || e.getSQLState() == null || !e.getSQLState().startsWith("08")) {
                    throw e;
                }
                LOG.warn("Connecting to {}:{} failed (attempt {}), retrying in {} ms: {}", s.host(), s.port(),
                        attempt, delay.toMillis(), e.getMessage());
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                delay = delay.multipliedBy(2).compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay.multipliedBy(2);
            }
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the server's user and password are settings (PG_USER, PGPASSWORD)");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // logging goes through slf4j
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // the connect timeout is fixed (10 s)
    }

    @Override
    public int getLoginTimeout() {
        return 10;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("slf4j");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper of " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
