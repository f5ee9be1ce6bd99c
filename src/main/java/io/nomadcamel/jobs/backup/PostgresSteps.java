package io.nomadcamel.jobs.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import io.nomadcamel.jobs.process.ProcessFailedException;
import io.nomadcamel.jobs.process.ProcessRunner;
import io.nomadcamel.jobs.scheduler.RunContext;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL leg: globals with {@code pg_dumpall --globals-only}, the database list by SQL, one
 * {@code pg_dump} per database. pg_dump writes straight to its file (ProcessRunner redirects stdout to it; the
 * bytes never pass through this JVM); the password is only in the child's environment (PGPASSWORD).
 */
public class PostgresSteps {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresSteps.class);

    static final String LIST_DATABASES = "SELECT datname FROM pg_database WHERE datistemplate = false AND datallowconn"
            + " ORDER BY datname";

    public Artifact globals(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup) throws IOException {
        Artifact artifact = backup.artifact(BackupLayout.Kind.GLOBALS, null);
        backup.run().progress("dumping postgres globals");
        Path raw = backup.tempDir().resolve("postgres-globals.sql");
        try {
            pg(backup, "pg_dumpall", "--globals-only", "--database=" + backup.settings().pgDatabase())
                    .peer("postgres").stdoutTo(raw).run().check();
            try (InputStream in = Files.newInputStream(raw);
                    OutputStream out = new GZIPOutputStream(Files.newOutputStream(artifact.temp()), 65536)) {
                in.transferTo(out);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(artifact.temp());
            throw e;
        } finally {
            Files.deleteIfExists(raw);
        }
        return artifact;
    }

    /** Every database that can be dumped, by name; fixes the run's list (and the safe file names). */
    public List<String> databases(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup) throws Exception {
        BackupSettings s = backup.settings();
        List<String> names = Retry.threeTimes(backup.run(), s.retryDelay(), "listing the databases", () -> {
            List<String> list = new ArrayList<>();
            try (Connection c = connect(s); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(LIST_DATABASES)) {
                while (rs.next()) {
                    list.add(rs.getString(1));
                }
            }
            return list;
        }, e -> e instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08"));
        backup.databases(names);
        backup.run().progress("dumping " + names.size() + " databases, " + backup.input().dumpConcurrency()
                + " at a time");
        return names;
    }

    /** Dumps one database; at most {@code dump_concurrency} of these hold a pg_dump at once, whatever the threads. */
    public Artifact dump(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup, @Body String database)
            throws InterruptedException {
        Artifact artifact = backup.artifact(BackupLayout.Kind.DATABASE, database);
        RunContext run = backup.run();
        do {
            run.checkNotStopped();
        } while (!backup.dumpSlots().tryAcquire(200, TimeUnit.MILLISECONDS));
        boolean ok = false;
        try {
            backup.dumpStarted(System.currentTimeMillis());
            pg(backup, "pg_dump", dumpArguments(backup.settings(), database)).peer("postgres")
                    .stdoutTo(artifact.temp()).run().check();
            ok = true;
        } catch (RunContext.RunStoppedException | ProcessFailedException e) {
            if (run.stopped() || e instanceof ProcessFailedException failed && failed.exitCode() < 0) {
                endLeftoverSessions(backup, database); // pg_dump was killed, its session may live on
            }
            throw e;
        } finally {
            backup.dumpSlots().release();
            int done = backup.dumpFinished(System.currentTimeMillis(), ok);
            run.progress("dumped " + done + "/" + backup.databaseCount() + " databases"
                    + (backup.dumpsFailed() > 0 ? " (" + backup.dumpsFailed() + " failed)" : ""));
        }
        return artifact;
    }

    /**
     * A pg_dump killed while it waits for a lock (the run stopped, or the dump hit its timeout) leaves its server
     * session waiting: the server notices the client is gone only once it gets the lock, and would then hold it for
     * nothing. The run's own sessions on that database are ended; a failure here is a warning, the dump's error is
     * the story.
     */
    private static void endLeftoverSessions(BackupRun backup, String database) {
        try (Connection c = connect(backup.settings());
                PreparedStatement st = c.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        + "WHERE application_name = ? AND datname = ? AND pid <> pg_backend_pid()")) {
            st.setString(1, applicationName(backup));
            st.setString(2, database);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    LOG.info("Ended the server session a stopped pg_dump of database {} left behind", database);
                }
            }
        } catch (SQLException e) {
            LOG.warn("Could not end the server sessions of a failed pg_dump of database {}: {}", database,
                    e.getMessage());
        }
    }

    /** How this run's client programs name themselves to the server, so that their sessions can be found. */
    static String applicationName(BackupRun backup) {
        return "nomad-camel-jobs backup run " + backup.run().runId();
    }

    private static Connection connect(BackupSettings s) throws SQLException {
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

    /** The dumps this run verified and kept, in the databases' order: what the upload split sends. */
    public List<Artifact> keptDumps(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup) {
        List<Artifact> kept = backup.keptArtifacts().stream()
                .filter(a -> a.kind() == BackupLayout.Kind.DATABASE).toList();
        backup.run().progress("dumped " + backup.databaseCount() + " databases; uploading " + kept.size());
        return kept;
    }

    private static String[] dumpArguments(BackupSettings s, String database) {
        List<String> args = new ArrayList<>();
        if (s.plainFormat()) {
            // plain SQL, gzipped by pg_dump itself (.sql.gz), as the original workers wrote it
            args.addAll(List.of("--format=plain", "--compress=6"));
        } else {
            args.add("--format=custom");
        }
        s.lockWaitTimeout().ifPresent(t -> args.add("--lock-wait-timeout=" + t.toMillis()));
        // a connection string, so that a name with "=" or a "postgresql://" prefix is a name and nothing else
        args.add("--dbname=dbname=" + conninfoQuote(database));
        return args.toArray(String[]::new);
    }

    /** libpq's conninfo quoting: the value in single quotes, backslash and quote escaped with a backslash. */
    static String conninfoQuote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** A PostgreSQL client program with the server's address; the password only in its environment. */
    static ProcessRunner pg(BackupRun backup, String program, String... args) {
        BackupSettings s = backup.settings();
        List<String> command = new ArrayList<>(List.of(s.pgProgram(program), "--host=" + s.pgHost(),
                "--port=" + s.pgPort(), "--username=" + s.pgUser(), "--no-password"));
        command.addAll(List.of(args));
        return ProcessRunner.command(command)
                .env("PGPASSWORD", s.pgPassword().orElse(null))
                .env("PGCONNECT_TIMEOUT", "30")
                .env("PGAPPNAME", applicationName(backup))
                .directory(backup.tempDir())
                .timeout(s.commandTimeout())
                .in(backup.run());
    }
}
