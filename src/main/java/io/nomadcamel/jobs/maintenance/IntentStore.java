package io.nomadcamel.jobs.maintenance;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.nomadcamel.jobs.store.Sql;

/**
 * The SQL of maintenance intents (V5 migration): the durable promise to scale a Nomad task group back. Opened before
 * the scale-down, closed after the scale-back; open rows are what crash recovery compensates.
 */
public final class IntentStore {

    private static final String COLUMNS = "id, run_id, job_type, instance, job_name, group_name, original_count, "
            + "node_name, node_addr, command_marker, container_name, created_at, attempts, last_error, closed_at, outcome";

    private final Sql sql;

    public IntentStore(Sql sql) {
        this.sql = sql;
    }

    /**
     * One intent as stored.
     *
     * @param containerName the container the command runs ({@code ncj-maint-<id>}), removed before any scale-back;
     *                      null if the command is not a container
     */
    public record Intent(long id, long runId, String jobType, String instance, String job, String group,
            int originalCount, String nodeName, String nodeAddr, String commandMarker, String containerName,
            Instant createdAt,
            int attempts, String lastError, Instant closedAt, String outcome) {

        public boolean open() {
            return closedAt == null;
        }
    }

    /**
     * Written before the scale-down. Unclaimed: while its run is alive recovery leaves it alone anyway, and once the
     * run is dead any instance may take it at once. Refused while another intent of the same group is open: two
     * maintenances of one group would bring it back while one of them still works on it.
     */
    public Intent open(long runId, String jobType, String instance, String job, String group, int originalCount,
            String nodeName, String nodeAddr, Instant now) throws SQLException {
        long id;
        try {
            id = sql.insert("INSERT INTO maintenance_intents (run_id, job_type, instance, job_name, group_name, "
                    + "original_count, node_name, node_addr, created_at, open_job, open_group) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    runId, jobType, instance, job, group, originalCount, nodeName, nodeAddr, now, job, group);
        } catch (SQLException e) {
            if (!Sql.isUniqueViolation(e)) {
                throw e;
            }
            throw new GroupBusyException(job, group, openFor(job, group).orElse(null));
        }
        return find(id).orElseThrow();
    }

    /** The open intent of a group, if any. */
    public Optional<Intent> openFor(String job, String group) throws SQLException {
        return sql.queryOne("SELECT " + COLUMNS + " FROM maintenance_intents WHERE open_job = ? AND open_group = ?",
                IntentStore::map, job, group);
    }

    /** Another maintenance of the group is open (running, or waiting for its scale-back). */
    public static final class GroupBusyException extends MaintenanceException {
        GroupBusyException(String job, String group, Intent holder) {
            super("another maintenance of " + job + "/" + group + " is open"
                    + (holder == null ? "" : " (intent " + holder.id() + " of run " + holder.runId() + ", since "
                            + holder.createdAt() + (holder.attempts() > 0 ? ", its scale-back failing: "
                                    + holder.lastError() : "") + ")")
                    + "; nothing was changed: the group goes offline for one maintenance at a time");
        }
    }

    /**
     * Records how to find the command's processes on the node, before the command starts. False if the intent was
     * closed or taken by recovery meanwhile (the run was thought dead): the command must not start then.
     */
    public boolean setCommandMarker(long id, String marker) throws SQLException {
        return setCommand(id, marker, null);
    }

    /** {@link #setCommandMarker}, recording also the container the command runs (null: none). */
    public boolean setCommand(long id, String marker, String containerName) throws SQLException {
        return sql.update("UPDATE maintenance_intents SET command_marker = ?, container_name = ? WHERE id = ? "
                + "AND closed_at IS NULL AND claimed_by IS NULL", marker, containerName, id) == 1;
    }

    public Optional<Intent> find(long id) throws SQLException {
        return sql.queryOne("SELECT " + COLUMNS + " FROM maintenance_intents WHERE id = ?", IntentStore::map, id);
    }

    /** The open intent of a run, if any: what its scale-back has still to do. */
    public Optional<Intent> openForRun(long runId) throws SQLException {
        return sql.query("SELECT " + COLUMNS + " FROM maintenance_intents WHERE run_id = ? AND closed_at IS NULL "
                + "ORDER BY id", IntentStore::map, runId).stream().findFirst();
    }

    public List<Intent> open() throws SQLException {
        return sql.query("SELECT " + COLUMNS + " FROM maintenance_intents WHERE closed_at IS NULL ORDER BY id",
                IntentStore::map);
    }

    /**
     * Takes (or renews) the right to compensate an open intent until {@code until}: false if another instance holds
     * it or it is closed. The UPDATE is atomic, so two instances never compensate the same intent at once.
     */
    public boolean claim(long id, String instance, Instant now, Instant until) throws SQLException {
        return sql.update("UPDATE maintenance_intents SET claimed_by = ?, claimed_until = ? WHERE id = ? "
                + "AND closed_at IS NULL AND (claimed_until IS NULL OR claimed_until < ? OR claimed_by = ?)",
                instance, until, id, now, instance) == 1;
    }

    /** Lets recovery take the intent at once (the run ended and its compensation failed). */
    public void release(long id, String instance) throws SQLException {
        sql.update("UPDATE maintenance_intents SET claimed_until = NULL WHERE id = ? AND claimed_by = ?", id,
                instance);
    }

    public void recordFailure(long id, String error) throws SQLException {
        sql.update("UPDATE maintenance_intents SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                truncate(error, 4000), id);
    }

    /** Closes the intent; false if it was already closed (someone else compensated it). */
    public boolean close(long id, String outcome, Instant now) throws SQLException {
        return sql.update("UPDATE maintenance_intents SET closed_at = ?, outcome = ?, claimed_until = NULL, "
                + "open_job = NULL, open_group = NULL WHERE id = ? AND closed_at IS NULL", now,
                truncate(outcome, 2000), id) == 1;
    }

    /** Open intents of the group whose scale-back has failed at least once: what the CRITICAL gauge shows. */
    public int failedOpen(String job, String group) throws SQLException {
        return sql.queryOne("SELECT count(*) FROM maintenance_intents WHERE closed_at IS NULL AND attempts > 0 "
                + "AND job_name = ? AND group_name = ?", rs -> rs.getInt(1), job, group).orElse(0);
    }

    private static Intent map(ResultSet rs) throws SQLException {
        return new Intent(rs.getLong("id"), rs.getLong("run_id"), rs.getString("job_type"), rs.getString("instance"),
                rs.getString("job_name"), rs.getString("group_name"), rs.getInt("original_count"),
                rs.getString("node_name"), rs.getString("node_addr"), rs.getString("command_marker"),
                rs.getString("container_name"), Sql.instant(rs, "created_at"), rs.getInt("attempts"), rs.getString("last_error"),
                Sql.instant(rs, "closed_at"), rs.getString("outcome"));
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
