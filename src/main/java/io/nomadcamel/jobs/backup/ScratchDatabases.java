package io.nomadcamel.jobs.backup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.nomadcamel.jobs.postgres.ManagedServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drill's scratch databases on DRILL_PG_HOST: {@code ncj_drill_<run>_<n>}, created empty, dropped with
 * {@code WITH (FORCE)} (a killed pg_restore's session may still be connected). Only names with the
 * {@value #PREFIX} prefix are ever dropped, and always as quoted identifiers. One drill at a time per server: the
 * drill holds a session advisory lock for its whole run, so the scratch databases of another drill are never taken
 * for a crashed one's; the lock goes with the session, so a crash never leaves it held.
 */
final class ScratchDatabases implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScratchDatabases.class);
    static final String PREFIX = "ncj_drill_";
    static final String APPLICATION_NAME = "nomad-camel-jobs restore-drill";
    /** The advisory lock's key: "ncjdrill" read as a number. */
    private static final long LOCK_KEY = 0x6e636a6472696c6cL;

    /** A scratch database's name: the prefix, the run, the database's number; nothing else is ever dropped. */
    private static final Pattern SCRATCH_NAME = Pattern.compile(PREFIX + "[0-9]+_[0-9]+");

    private final long runId;
    private final Connection lockSession;

    private ScratchDatabases(long runId, Connection lockSession) {
        this.runId = runId;
        this.lockSession = lockSession;
    }

    /** Takes the server's drill lock; fails if another drill holds it. */
    static ScratchDatabases lock(BackupSettings server, long runId) throws SQLException {
        // no socket timeout: dropping a large scratch database may take minutes
        Connection c = ManagedServer.connect(server.server(), server.server().database(), APPLICATION_NAME, null);
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                throw new IllegalStateException("another restore drill is running on " + server.server().host() + ":"
                        + server.server().port() + " (it holds the drill lock); this run changed nothing");
            }
            return new ScratchDatabases(runId, c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The scratch database of this run's n-th database. */
    String name(int n) {
        return PREFIX + runId + "_" + n;
    }

    /** Drops every scratch database on the server except this run's (a crashed drill's); returns their names. */
    List<String> dropStale() throws SQLException {
        List<String> stale = new ArrayList<>();
        for (String name : existing()) {
            if (!name.startsWith(PREFIX + runId + "_")) {
                drop(name);
                stale.add(name);
            }
        }
        return stale;
    }

    /** Drops whatever scratch database of this run is left (the guarantee behind the route's doFinally). */
    void dropOwn() throws SQLException {
        for (String name : existing()) {
            if (name.startsWith(PREFIX + runId + "_")) {
                drop(name);
            }
        }
    }

    void create(String name) throws SQLException {
        guard(name);
        try (Statement st = lockSession.createStatement()) {
            st.execute("CREATE DATABASE " + quoteIdent(name));
        }
    }

    void drop(String name) throws SQLException {
        guard(name);
        try (Statement st = lockSession.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + quoteIdent(name) + " WITH (FORCE)");
        }
        LOG.info("Dropped the restore drill's scratch database {}", name);
    }

    private List<String> existing() throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement st = lockSession.prepareStatement(
                "SELECT datname FROM pg_database WHERE starts_with(datname, ?) ORDER BY datname")) {
            st.setString(1, PREFIX);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    if (SCRATCH_NAME.matcher(name).matches()) { // an operator's ncj_drill_old is not ours
                        names.add(name);
                    }
                }
            }
        }
        return names;
    }

    /** The guard before every CREATE and DROP: a scratch name, nothing else. */
    private static void guard(String name) {
        if (!SCRATCH_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a restore drill scratch database: " + name);
        }
    }

    /** A PostgreSQL identifier in double quotes, inner quotes doubled. */
    static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    @Override
    public void close() throws SQLException {
        lockSession.close();
    }
}
