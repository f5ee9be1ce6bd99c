package io.nomadcamel.jobs.scheduler;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.nomadcamel.jobs.store.Sql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL of runs, in one place. The database, not this JVM, decides who may run what: {@code job_lock} admits one
 * active run per job and {@code queue_lock} one running run per queue, across every instance (see V3 migration).
 */
public final class RunStore {

    private static final Logger LOG = LoggerFactory.getLogger(RunStore.class);
    private static final String COLUMNS = "id, job_id, job_type, trigger_kind, state, reason, attempt, queue, slot_at, "
            + "not_before, timeout_ms, queued_at, started_at, finished_at, input, result, error, progress, instance";
    private static final String ACTIVE = "('PENDING', 'RUNNING')";

    private final Sql sql;

    public RunStore(Sql sql) {
        this.sql = sql;
    }

    /** The job already has an active run, so the database refused another. */
    public static final class ActiveRunExists extends Exception {
        public ActiveRunExists(String jobId) {
            super("job '" + jobId + "' already has an active run");
        }
    }

    /** Records a run waiting to be claimed; for single-run jobs it takes the job's lock or fails. */
    public long insertPending(JobDefinition job, String trigger, String input, int attempt, Instant slotAt,
            Instant notBefore, Instant now) throws SQLException, ActiveRunExists {
        if (job.queue() == null) {
            return insertRun(job, trigger, input, attempt, slotAt, notBefore, now);
        }
        ensureQueue(job.queue());
        try {
            return sql.inTransaction(() -> {
                sql.update("UPDATE queues SET enqueued = enqueued + 1 WHERE name = ?", job.queue());
                try {
                    return insertRun(job, trigger, input, attempt, slotAt, notBefore, now);
                } catch (ActiveRunExists e) {
                    throw new SQLException(e.getMessage(), "23505", e);
                }
            });
        } catch (SQLException e) {
            if (e.getCause() instanceof ActiveRunExists busy) {
                throw busy;
            }
            throw e;
        }
    }

    private void ensureQueue(String queue) throws SQLException {
        if (sql.queryOne("SELECT 1 FROM queues WHERE name = ?", rs -> 1, queue).isEmpty()) {
            try {
                sql.update("INSERT INTO queues (name, enqueued) VALUES (?, 0)", queue);
            } catch (SQLException e) {
                if (!Sql.isUniqueViolation(e)) {
                    throw e;
                }
            }
        }
    }

    private long insertRun(JobDefinition job, String trigger, String input, int attempt, Instant slotAt,
            Instant notBefore, Instant now) throws SQLException, ActiveRunExists {
        try {
            return sql.insert("INSERT INTO runs (job_id, job_type, trigger_kind, state, attempt, queue, slot_at, "
                    + "not_before, timeout_ms, queued_at, input, job_lock) VALUES (?, ?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?, ?)",
                    job.id(), job.type(), trigger, attempt, job.queue(), slotAt, notBefore, job.timeout().toMillis(),
                    now, text(input), job.singleActiveRun() ? job.id() : null);
        } catch (SQLException e) {
            if (Sql.isUniqueViolation(e)) {
                throw new ActiveRunExists(job.id());
            }
            throw e;
        }
    }

    /** Records a slot that did not run (reason {@code overlap}, {@code misfire}, {@code paused}…). */
    public long insertSkipped(JobDefinition job, String trigger, String reason, Instant slotAt, Instant now)
            throws SQLException {
        return sql.insert("INSERT INTO runs (job_id, job_type, trigger_kind, state, reason, attempt, queue, slot_at, "
                + "timeout_ms, queued_at, finished_at) VALUES (?, ?, ?, 'SKIPPED', ?, 1, ?, ?, ?, ?, ?)",
                job.id(), job.type(), trigger, reason, job.queue(), slotAt, job.timeout().toMillis(), now, now);
    }

    /**
     * Pending runs in queue order, oldest first, leaving out runs of queues that already have a running run: however
     * long a queue waits, it cannot crowd other work out of the window.
     */
    public List<Run> pending(int limit) throws SQLException {
        return sql.query("SELECT " + COLUMNS + " FROM runs WHERE state = 'PENDING' AND (queue IS NULL OR NOT EXISTS "
                + "(SELECT 1 FROM runs busy WHERE busy.queue_lock = runs.queue)) ORDER BY id LIMIT " + limit,
                RunStore::map);
    }

    /**
     * Claims a pending run for this instance. Fails (false) if another instance claimed it, if it must still wait,
     * or if its queue already has a running run: the unique {@code queue_lock} refuses a second one.
     */
    public boolean claim(long runId, String instance, Instant now, Instant leaseUntil) throws SQLException {
        try {
            return sql.update("UPDATE runs SET state = 'RUNNING', started_at = ?, instance = ?, lease_until = ?, "
                    + "queue_lock = queue WHERE id = ? AND state = 'PENDING' AND (not_before IS NULL OR not_before <= ?)",
                    now, instance, leaseUntil, runId, now) == 1;
        } catch (SQLException e) {
            if (Sql.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Ends an active run and releases its locks; false if it had already ended (e.g. abandoned meanwhile). */
    public boolean finish(long runId, RunState state, String reason, String result, String error, Instant now)
            throws SQLException {
        return sql.update("UPDATE runs SET state = ?, reason = ?, result = ?, error = ?, finished_at = ?, "
                + "lease_until = NULL, job_lock = NULL, queue_lock = NULL WHERE id = ? AND state IN " + ACTIVE,
                state.name(), text(reason), text(result), text(error), now, runId) == 1;
    }

    /**
     * Cancels a run that waits; false if it has started meanwhile (another instance claimed it): a running run is
     * stopped, never just marked, or its locks would free while it still works.
     */
    public boolean cancelPending(long runId, String reason, Instant now) throws SQLException {
        return sql.update("UPDATE runs SET state = 'CANCELLED', reason = ?, finished_at = ?, job_lock = NULL, "
                + "queue_lock = NULL WHERE id = ? AND state = 'PENDING'", reason, now, runId) == 1;
    }

    public void progress(long runId, String progress) throws SQLException {
        sql.update("UPDATE runs SET progress = ? WHERE id = ?", text(truncate(progress, 2000)), runId);
    }

    /**
     * Keeps alive the leases of the runs executing here, and only those: a row this instance failed to finish must
     * expire (and be marked ABANDONED), not stay RUNNING for as long as the instance lives. Returns the runs among
     * them that are no longer RUNNING in the database (abandoned by another instance while this one was slow): they
     * must stop here, since their job may already run elsewhere.
     */
    public List<Long> renewLeases(String instance, java.util.Set<Long> executing, Instant leaseUntil)
            throws SQLException {
        if (executing.isEmpty()) {
            return List.of();
        }
        String ids = executing.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
        return sql.inTransaction(() -> {
            sql.update("UPDATE runs SET lease_until = ? WHERE instance = ? AND state = 'RUNNING' AND id IN (" + ids
                    + ")", leaseUntil, instance);
            return sql.query("SELECT id FROM runs WHERE id IN (" + ids + ") AND (state <> 'RUNNING' OR instance <> ?)",
                    rs -> rs.getLong(1), instance);
        });
    }

    /** Marks running runs whose instance stopped renewing their lease as ABANDONED, freeing their job and queue. */
    public List<Run> abandonExpired(Instant now) throws SQLException {
        List<Run> expired = sql.query("SELECT " + COLUMNS + " FROM runs WHERE state = 'RUNNING' AND lease_until < ?",
                RunStore::map, now);
        expired.removeIf(run -> {
            try {
                return sql.update("UPDATE runs SET state = 'ABANDONED', reason = 'lease expired', error = ?, "
                        + "finished_at = ?, lease_until = NULL, job_lock = NULL, queue_lock = NULL "
                        + "WHERE id = ? AND state = 'RUNNING' AND lease_until < ?",
                        "instance " + run.instance() + " stopped renewing the run's lease", now, run.id(), now) != 1;
            } catch (SQLException e) {
                // this one stays RUNNING with its passed lease: the next pass (here or elsewhere) takes it
                LOG.warn("Could not mark run {} abandoned: {}", run.id(), e.getMessage());
                return true;
            }
        });
        return expired;
    }

    /** Asks the instance running the run to stop it; false if the run is not active. */
    public boolean requestStop(long runId) throws SQLException {
        return sql.update("UPDATE runs SET stop_requested = TRUE WHERE id = ? AND state = 'RUNNING'", runId) == 1;
    }

    /** Runs of this instance that someone asked to stop (over the API of any instance). */
    public List<Long> stopRequested(String instance) throws SQLException {
        return sql.query("SELECT id FROM runs WHERE instance = ? AND state = 'RUNNING' AND stop_requested",
                rs -> rs.getLong(1), instance);
    }

    public Optional<Instant> lastSucceeded(String jobId) throws SQLException {
        return sql.queryOne("SELECT max(finished_at) AS t FROM runs WHERE job_id = ? AND state = 'SUCCEEDED'",
                rs -> Sql.instant(rs, "t"), jobId);
    }

    /** Records that this instance is alive (the instances table is informational: leases decide liveness). */
    public void heartbeat(String instance, String host, String jobTypes, Instant now) throws SQLException {
        if (sql.update("UPDATE instances SET heartbeat_at = ? WHERE id = ?", now, instance) == 0) {
            sql.update("INSERT INTO instances (id, host, job_types, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)",
                    instance, host, jobTypes, now, now);
        }
    }

    public void removeInstance(String instance) throws SQLException {
        sql.update("DELETE FROM instances WHERE id = ?", instance);
    }

    public Optional<Run> find(long runId) throws SQLException {
        return sql.queryOne("SELECT " + COLUMNS + " FROM runs WHERE id = ?", RunStore::map, runId);
    }

    /** Until when the run's instance holds it; empty once it ended. Others read a passed lease as a dead instance. */
    public Optional<Instant> leaseUntil(long runId) throws SQLException {
        return sql.queryOne("SELECT lease_until FROM runs WHERE id = ?", rs -> Sql.instant(rs, "lease_until"), runId);
    }

    /**
     * Rewrites a run's result and error after the fact: what happened on its behalf once it had ended (e.g. crash
     * recovery scaling back what the run took offline). State and times stay.
     */
    public boolean amend(long runId, String result, String error) throws SQLException {
        return sql.update("UPDATE runs SET result = ?, error = ? WHERE id = ?", text(result), text(error), runId) == 1;
    }

    /** History, newest first; job and state are optional filters. */
    public List<Run> list(String jobId, RunState state, int limit) throws SQLException {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new java.util.ArrayList<>();
        if (jobId != null) {
            where.append(" AND job_id = ?");
            params.add(jobId);
        }
        if (state != null) {
            where.append(" AND state = ?");
            params.add(state.name());
        }
        return sql.query("SELECT " + COLUMNS + " FROM runs" + where + " ORDER BY id DESC LIMIT " + limit,
                RunStore::map, params.toArray());
    }

    public List<Run> active(String jobId) throws SQLException {
        return sql.query("SELECT " + COLUMNS + " FROM runs WHERE job_id = ? AND state IN " + ACTIVE + " ORDER BY id",
                RunStore::map, jobId);
    }

    public Optional<Run> lastFinished(String jobId) throws SQLException {
        return sql.queryOne("SELECT " + COLUMNS + " FROM runs WHERE job_id = ? AND state NOT IN " + ACTIVE
                + " AND state <> 'SKIPPED' ORDER BY id DESC LIMIT 1", RunStore::map, jobId);
    }

    /** 1 for the next run of its queue, 2 for the one after, ...; 0 once it runs. */
    public int queuePosition(long runId, String queue) throws SQLException {
        return sql.queryOne("SELECT count(*) FROM runs WHERE queue = ? AND state = 'PENDING' AND id <= ?",
                rs -> rs.getInt(1), queue, runId).orElse(0);
    }

    /** Run history retention: finished runs older than the cut-off go. */
    public int deleteFinishedBefore(Instant cutoff) throws SQLException {
        return sql.update("DELETE FROM runs WHERE finished_at < ? AND state NOT IN " + ACTIVE, cutoff);
    }

    private static Run map(ResultSet rs) throws SQLException {
        return new Run(rs.getLong("id"), rs.getString("job_id"), rs.getString("job_type"),
                rs.getString("trigger_kind"), RunState.valueOf(rs.getString("state")), rs.getString("reason"),
                rs.getInt("attempt"), rs.getString("queue"), Sql.instant(rs, "slot_at"), Sql.instant(rs, "not_before"),
                rs.getLong("timeout_ms"), Sql.instant(rs, "queued_at"), Sql.instant(rs, "started_at"),
                Sql.instant(rs, "finished_at"), rs.getString("input"), rs.getString("result"), rs.getString("error"),
                rs.getString("progress"), rs.getString("instance"));
    }

    /** PostgreSQL text cannot hold NUL; a command's output may: kept visible as U+FFFD rather than failing the write. */
    private static String text(String s) {
        return s == null || s.indexOf('\u0000') < 0 ? s : s.replace('\u0000', '\uFFFD');
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
