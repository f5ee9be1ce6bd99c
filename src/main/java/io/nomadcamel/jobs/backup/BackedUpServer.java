package io.nomadcamel.jobs.backup;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server the backup dumps ({@code PG_HOST}, {@code PG_PORT}, {@code PG_USER}, {@code PGPASSWORD},
 * database {@code PG_DATABASE}), as the DataSource of the route's {@code jdbc:backedUpServer} step; never the
 * application's own database. The settings are read at each connection, so a missing {@code PG_HOST} fails the run
 * that needs it, not start-up. A connection error (SQL state class 08) is retried three times, backoff
 * {@code backup.retry-delay} doubling up to a minute (design §5).
 */
public final class BackedUpServer implements DataSource {

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(BackedUpServer.class);
    private static final Duration MAX_DELAY = Duration.ofMinutes(1);

    private final Supplier<BackupSettings> settings;

    BackedUpServer(Supplier<BackupSettings> settings) {
        this.settings = settings;
    }

    @Override
    public Connection getConnection() throws SQLException {
        BackupSettings s = settings.get();
        Duration delay = s.retryDelay();
        for (int attempt = 1;; attempt++) {
            try {
                return connect(s);
            } catch (SQLException e) {
                if (attempt > 3 || e.getSQLState() == null || !e.getSQLState().startsWith("08")) {
                    throw e;
                }
                LOG.warn("Connecting to {}:{} failed (attempt {}), retrying in {} ms: {}", s.pgHost(), s.pgPort(),
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

    /** One connection to the backed-up server, no retry. */
    static Connection connect(BackupSettings s) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", s.pgUser());
        s.pgPassword().ifPresent(p -> props.setProperty("password", p));
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        props.setProperty("ApplicationName", "nomad-camel-jobs backup");
        String url = "jdbc:postgresql://" + s.pgHost() + ":" + s.pgPort() + "/"
                + URLEncoder.encode(s.pgDatabase(), StandardCharsets.UTF_8).replace("+", "%20");
        return DriverManager.getConnection(url, props);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the backed-up server's user and password are settings (PG_USER, "
                + "PGPASSWORD)");
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
