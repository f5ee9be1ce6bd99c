package io.nomadcamel.jobs.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import io.nomadcamel.jobs.postgres.ManagedServer;
import io.nomadcamel.jobs.process.ExecProfiles;
import io.nomadcamel.jobs.process.ExecRequest;
import io.nomadcamel.jobs.process.ProcessFailedException;
import io.nomadcamel.jobs.scheduler.RunContext;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperties;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Headers;
import org.apache.camel.component.exec.ExecBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL leg around its {@code exec:} and {@code jdbc:} steps: the arguments of
 * {@code pg_dumpall --globals-only} and of each {@code pg_dump}, the database list from the route's SQL, the slot
 * that bounds how many pg_dump run at once, and the end of a killed pg_dump's server session. pg_dump writes straight
 * to its file (the exec step streams stdout there; the bytes never pass through this JVM); the password reaches the
 * programs through the {@code pg} exec profile, in their environment only.
 */
public class PostgresSteps {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresSteps.class);
    /** Exchange property: this database's pg_dump holds one of the run's dump slots. */
    static final String DUMP_SLOT = "dumpSlot";
    /** Exchange property: this database's pg_dump exited 0 and its file is in place. */
    static final String DUMPED = "dumped";
    /** Exchange property: this database's custom dump listed with {@code pg_restore --list}. */
    static final String LISTED = "dumpListed";
    /** Exchange property: the open {@link DumpSnapshot} this database's pg_dump reads. */
    static final String SNAPSHOT = "dumpSnapshot";

    /** {@code pg_dumpall --globals-only}, its SQL to the temp folder; compressed by {@link #compressGlobals}. */
    public void globals(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup, @Headers Map<String, Object> headers,
            @ExchangeProperties Map<String, Object> properties) {
        Artifact artifact = backup.artifact(BackupLayout.Kind.GLOBALS, null);
        backup.run().progress("dumping postgres globals");
        properties.put(SnapshotSteps.ARTIFACT, artifact);
        request(backup, "--globals-only", "--database=" + backup.settings().server().database())
                .stdoutTo(rawGlobals(backup)).into(headers);
    }

    public Artifact compressGlobals(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup,
            @ExchangeProperty(SnapshotSteps.ARTIFACT) Artifact artifact) throws IOException {
        Path raw = rawGlobals(backup);
        try (InputStream in = Files.newInputStream(raw);
                OutputStream out = new GZIPOutputStream(Files.newOutputStream(artifact.temp()), 65536)) {
            in.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(artifact.temp());
            throw e;
        } finally {
            Files.deleteIfExists(raw);
        }
        return artifact;
    }

    private static Path rawGlobals(BackupRun backup) {
        return backup.tempDir().resolve("postgres-globals.sql");
    }

    /** The names the listing step found (one row per database); fixes the run's list and the safe file names. */
    public List<String> databases(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup,
            @Body List<Map<String, Object>> rows) {
        List<String> names = ManagedServer.databaseNames(rows);
        backup.databases(names);
        backup.run().progress("dumping " + names.size() + " databases, " + backup.input().dumpConcurrency()
                + " at a time");
        return names;
    }

    /**
     * Waits for one of the run's {@code dump_concurrency} slots (whatever the split's threads), exports the database's
     * snapshot ({@link DumpSnapshot}), then builds pg_dump's arguments to read that snapshot, its stdout going to the
     * dump's file in the temp folder.
     */
    public void dumpCommand(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup, @Body String database,
            @Headers Map<String, Object> headers, @ExchangeProperties Map<String, Object> properties)
            throws SQLException {
        Artifact artifact = backup.artifact(BackupLayout.Kind.DATABASE, database);
        RunContext run = backup.run();
        run.acquire(backup.dumpSlots());
        properties.put(DUMP_SLOT, true);
        properties.put(SnapshotSteps.ARTIFACT, artifact);
        backup.dumpStarted(System.currentTimeMillis());
        DumpSnapshot snapshot = run.track(DumpSnapshot.open(backup.settings(), database));
        properties.put(SNAPSHOT, snapshot);
        request(backup, dumpArguments(backup.settings(), database, snapshot.id())).stdoutTo(artifact.temp())
                .into(headers);
    }

    /**
     * pg_dump exited 0: its file is in place and goes on to verification; the rows it holds are counted in its
     * snapshot, still open, for the manifest (what a restore drill compares).
     */
    public Artifact dumped(@ExchangeProperty(SnapshotSteps.ARTIFACT) Artifact artifact,
            @ExchangeProperty(SNAPSHOT) DumpSnapshot snapshot, @ExchangeProperties Map<String, Object> properties)
            throws SQLException {
        artifact.tableCounts(snapshot.countRows());
        properties.put(DUMPED, true);
        return artifact;
    }

    /**
     * After each pg_dump, whatever happened: frees the slot and counts the dump. A pg_dump killed while it waits for
     * a lock (the run stopped, or the dump hit its timeout) leaves its server session waiting: the server notices
     * the client is gone only once it gets the lock, and would then hold it for nothing. The run's own sessions on
     * that database are ended; a failure there is a warning, the dump's error is the story.
     */
    public void dumpEnded(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup,
            @ExchangeProperty("database") String database, @ExchangeProperties Map<String, Object> properties,
            @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable failure) {
        if (properties.remove(DUMP_SLOT) == null) {
            return; // stopped while waiting for a slot: no pg_dump ran
        }
        if (properties.remove(SNAPSHOT) instanceof DumpSnapshot snapshot) {
            snapshot.close();
            backup.run().untrack(snapshot);
        }
        boolean ok = Boolean.TRUE.equals(properties.get(DUMPED));
        RunContext run = backup.run();
        if (!ok && (run.stopped() || failure instanceof RunContext.RunStoppedException
                || failure instanceof ProcessFailedException failed && failed.exitCode() < 0)) {
            endLeftoverSessions(backup, database);
        }
        backup.dumpSlots().release();
        int done = backup.dumpFinished(System.currentTimeMillis(), ok);
        run.progress("dumped " + done + "/" + backup.databaseCount() + " databases"
                + (backup.dumpsFailed() > 0 ? " (" + backup.dumpsFailed() + " failed)" : ""));
    }

    private static void endLeftoverSessions(BackupRun backup, String database) {
        try (Connection c = ManagedServer.connect(backup.settings().server(), backup.settings().server().database(),
                "nomad-camel-jobs backup", ManagedServer.SHORT_QUERY_SOCKET_TIMEOUT);
                PreparedStatement st = c.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        + "WHERE application_name = ? AND datname = ? AND pid <> pg_backend_pid()")) {
            st.setString(1, ExecProfiles.pgApplicationName(backup.run()));
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

    /** The route's condition for {@code pg_restore --list}: custom-format dumps only. */
    public boolean customFormat(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup) {
        return !backup.settings().plainFormat();
    }

    /** {@code pg_restore --list <dump>}: its table of contents to a file beside the dump, read by nobody. */
    public void listCommand(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup,
            @ExchangeProperty(SnapshotSteps.ARTIFACT) Artifact artifact, @Headers Map<String, Object> headers) {
        ExecRequest.args("--list", artifact.temp().toString()).stdoutTo(tableOfContents(artifact))
                .workingDir(backup.tempDir()).timeout(backup.settings().commandTimeout()).into(headers);
    }

    /**
     * After {@code pg_restore --list} (exit 0 or 1 allowed by the step): 1 means the dump is not readable, and the
     * dump fails verification with pg_restore's error.
     */
    public Artifact listed(@ExchangeProperty(SnapshotSteps.ARTIFACT) Artifact artifact,
            @Header(ExecBinding.EXEC_EXIT_VALUE) int exitValue, @Header(ExecBinding.EXEC_STDERR) String stderr,
            @ExchangeProperties Map<String, Object> properties) throws IOException {
        Files.deleteIfExists(tableOfContents(artifact));
        if (exitValue != 0) {
            Files.deleteIfExists(artifact.temp());
            throw new InvalidArtifactException(artifact.label() + " failed verification: pg_restore --list exited"
                    + " with " + exitValue + ": " + (stderr == null ? "" : stderr.strip()));
        }
        properties.put(LISTED, true);
        return artifact;
    }

    private static Path tableOfContents(Artifact artifact) {
        return artifact.temp().resolveSibling(artifact.temp().getFileName() + ".toc");
    }

    /** The dumps this run verified and kept, in the databases' order: what the upload split sends. */
    public List<Artifact> keptDumps(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup) {
        List<Artifact> kept = backup.keptArtifacts().stream()
                .filter(a -> a.kind() == BackupLayout.Kind.DATABASE).toList();
        backup.run().progress("dumped " + backup.databaseCount() + " databases; uploading " + kept.size());
        return kept;
    }

    private static String[] dumpArguments(BackupSettings s, String database, String snapshot) {
        List<String> args = new ArrayList<>();
        if (s.plainFormat()) {
            // plain SQL, gzipped by pg_dump itself (.sql.gz), as the original workers wrote it
            args.addAll(List.of("--format=plain", "--compress=6"));
        } else {
            args.add("--format=custom");
        }
        s.lockWaitTimeout().ifPresent(t -> args.add("--lock-wait-timeout=" + t.toMillis()));
        args.add("--snapshot=" + snapshot);
        // a connection string, so that a name with "=" or a "postgresql://" prefix is a name and nothing else
        args.add("--dbname=dbname=" + conninfoQuote(database));
        return args.toArray(String[]::new);
    }

    /** libpq's conninfo quoting: the value in single quotes, backslash and quote escaped with a backslash. */
    static String conninfoQuote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** The server's address (never the password) first, then the program's own arguments. */
    static List<String> serverArguments(BackupSettings s, String... args) {
        List<String> list = new ArrayList<>(List.of("--host=" + s.server().host(),
                "--port=" + s.server().port(), "--username=" + s.server().user(), "--no-password"));
        list.addAll(List.of(args));
        return list;
    }

    private static ExecRequest request(BackupRun backup, String... args) {
        return ExecRequest.args(serverArguments(backup.settings(), args)).workingDir(backup.tempDir())
                .timeout(backup.settings().commandTimeout());
    }
}
