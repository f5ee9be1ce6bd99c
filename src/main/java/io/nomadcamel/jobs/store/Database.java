package io.nomadcamel.jobs.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's own database: PostgreSQL when {@code DB_URL} is set, otherwise an embedded H2 file database
 * under the data directory, so that a fresh checkout runs with no server. Flyway migrates it before anything uses it:
 * {@code db/migration/common} holds SQL both accept, {@code db/migration/<vendor>} what differs.
 */
public final class Database {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private Database() {
    }

    /** Connection settings; the password is kept out of {@link #toString()} and of every log line. */
    public record Config(String url, String user, String password, Path dataDir, int poolSize) {

        public boolean embedded() {
            return url == null || url.isBlank();
        }

        public String jdbcUrl() {
            if (!embedded()) {
                return url;
            }
            // PostgreSQL mode keeps the SQL of both vendors close; the file lives under the data directory.
            // DB_CLOSE_ON_EXIT=FALSE: H2 would otherwise close the file from its own JVM shutdown hook, racing the
            // graceful shutdown that records the runs it stops; the pool's close (a Camel service) closes it instead
            return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("nomad-camel-jobs")
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_ON_EXIT=FALSE";
        }

        /** The URL as it may be logged: anything after '?' or ';' can carry credentials. */
        public String safeUrl() {
            String u = jdbcUrl();
            int cut = embedded() ? u.indexOf(';') : u.indexOf('?');
            return cut < 0 ? u : u.substring(0, cut);
        }

        @Override
        public String toString() {
            return "Database.Config[url=" + safeUrl() + ", user=" + user + ", poolSize=" + poolSize + "]";
        }
    }

    /** Opens the pool and migrates the schema; a database that cannot be reached fails here, at start-up. */
    /** The folder of vendor-specific migrations: {@code postgresql} or {@code h2} (Flyway has no {vendor}). */
    static String vendor(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
            if (product.contains("postgres")) {
                return "postgresql";
            }
            if (product.contains("h2")) {
                return "h2";
            }
            throw new SQLException("unsupported database " + product + ": use PostgreSQL (or the embedded H2)");
        }
    }

    public static HikariDataSource open(Config config) throws Exception {
        if (config.embedded()) {
            Files.createDirectories(config.dataDir());
        }
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("nomad-camel-jobs");
        hikari.setJdbcUrl(config.jdbcUrl());
        if (config.user() != null && !config.user().isBlank()) {
            hikari.setUsername(config.user());
        } else if (config.embedded()) {
            hikari.setUsername("sa");
        }
        if (config.password() != null && !config.password().isEmpty()) {
            hikari.setPassword(config.password());
        }
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setConnectionTimeout(10_000);
        HikariDataSource dataSource = new HikariDataSource(hikari);
        try {
            migrate(dataSource);
        } catch (Exception e) {
            dataSource.close();
            throw e;
        }
        LOG.info("Database ready: {}", config.safeUrl());
        return dataSource;
    }

    public static MigrateResult migrate(DataSource dataSource) throws SQLException {
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration/common", "classpath:db/migration/" + vendor(dataSource))
                .load()
                .migrate();
        LOG.info("Database schema at version {} ({} migrations applied now)",
                result.targetSchemaVersion, result.migrationsExecuted);
        return result;
    }
}
