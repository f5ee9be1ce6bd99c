package io.nomadcamel.jobs.postgres;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.logging.Logger;

import javax.sql.DataSource;

import io.nomadcamel.jobs.Settings;

/**
 * The PostgreSQL server the jobs work on ({@code PG_HOST}, {@code PG_PORT}, {@code PG_USER}, {@code PGPASSWORD}; the
 * list of databases is read in {@code PG_DATABASE}, default {@code postgres}), never the application's own database.
 * As a DataSource it is what a route's {@code jdbc:} step reads the database list from; {@link #connect} opens one
 * connection to a named database. The settings are read at each connection, so a missing {@code PG_HOST} fails the
 * run that needs it, not start-up.
 *
 * <p>To be unified: branch wip-exec gives the backup the same thing as {@code backup/BackedUpServer} (with connection
 * retries); once it is on main, one class here serves both jobs and this one goes.
 *
 * <p>A database name is data: it goes to the driver as the {@code PGDBNAME} connection property, never into SQL nor
 * into the URL, so no name (spaces, quotes, {@code x=y dbname=postgres}) can reach another database.
 */
public final class TargetServer implements DataSource {

    private final Supplier<Settings> settings;

    public TargetServer(Supplier<Settings> settings) {
        this.settings = settings;
    }

    /** The listing connection: database {@code PG_DATABASE}. */
    @Override
    public Connection getConnection() throws SQLException {
        return connect(listingDatabase(), "nomad-camel-jobs");
    }

    /** {@code PG_DATABASE}: where the list of databases is read. */
    public String listingDatabase() {
        return settings.get().string("pg.database", "postgres");
    }

    /** One connection to {@code database}, its sessions named {@code applicationName} in pg_stat_activity. */
    public Connection connect(String database, String applicationName) throws SQLException {
        Settings s = settings.get();
        Properties props = new Properties();
        props.setProperty("user", s.required("pg.user"));
        s.optional("pgpassword").ifPresent(p -> props.setProperty("password", p));
        props.setProperty("PGDBNAME", database);
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("connectTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://" + host(s.required("pg.host")) + ":"
                + s.port("pg.port", 5432) + "/", props);
    }

    /** An IPv6 address in brackets, as the URL needs it. */
    private static String host(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the user and password are settings (PG_USER, PGPASSWORD)");
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
