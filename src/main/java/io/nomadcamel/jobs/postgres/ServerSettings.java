package io.nomadcamel.jobs.postgres;

import java.time.Duration;
import java.util.Optional;

import io.nomadcamel.jobs.Settings;

/**
 * Where the PostgreSQL server the jobs work on is (design §6): {@code PG_HOST}, {@code PG_PORT} (5432),
 * {@code PG_USER}, {@code PGPASSWORD}, and {@code PG_DATABASE} (postgres), the database its list of databases is read
 * in; {@code PG_RETRY_DELAY} (default {@code BACKUP_RETRY_DELAY}, 1s) is the first wait before a connection is tried
 * again. Read when a run needs them: a missing one fails that run, naming the variable. The password is left out of
 * {@link #toString()}.
 */
public record ServerSettings(String host, int port, String user, Optional<String> password, String database,
        Duration retryDelay) {

    public static ServerSettings from(Settings s) {
        return new ServerSettings(s.required("pg.host"), s.port("pg.port", 5432), s.required("pg.user"),
                s.optional("pgpassword"), s.string("pg.database", "postgres"),
                s.duration("pg.retry-delay", s.duration("backup.retry-delay", Duration.ofSeconds(1))));
    }

    @Override
    public String toString() {
        return "ServerSettings[" + user + "@" + host + ":" + port + "/" + database + "]";
    }
}
