package io.nomadcamel.jobs.scheduler;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.nomadcamel.jobs.store.Sql;

/** The SQL of jobs created over the API, and of every job's schedule state (paused, last slot taken). */
public final class JobStore {

    private final Sql sql;

    public JobStore(Sql sql) {
        this.sql = sql;
    }

    public record StoredJob(String id, String definition) {
    }

    public List<StoredJob> apiJobs() throws SQLException {
        return sql.query("SELECT id, definition FROM jobs ORDER BY id", rs -> new StoredJob(rs.getString(1),
                rs.getString(2)));
    }

    /** Stores an API job; false if the id is taken. */
    public boolean insertApiJob(String id, String definition, Instant now) throws SQLException {
        try {
            sql.update("INSERT INTO jobs (id, definition, created_at) VALUES (?, ?, ?)", id, definition, now);
            return true;
        } catch (SQLException e) {
            if (Sql.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    public boolean deleteApiJob(String id) throws SQLException {
        return sql.update("DELETE FROM jobs WHERE id = ?", id) == 1;
    }

    /** Makes sure the job has a state row; its first slot is the next one after now, so nothing is "missed". */
    public void ensureState(String jobId, Instant firstSlotAfter) throws SQLException {
        try {
            sql.update("INSERT INTO job_state (job_id, paused, last_slot_at) VALUES (?, FALSE, ?)", jobId,
                    firstSlotAfter);
        } catch (SQLException e) {
            if (!Sql.isUniqueViolation(e)) {
                throw e;
            }
        }
    }

    /**
     * Takes a schedule slot for this instance: the job's row is locked while last_slot_at moves forward, so however
     * many instances (or threads) see the slot fire, one runs it, and each taker learns which slot came before its
     * own. Empty when the slot (or a later one) was already taken; otherwise the previously taken slot, or this slot
     * when it is the job's first.
     */
    public Optional<Instant> takeSlot(String jobId, Instant slot) throws SQLException {
        return sql.inTransaction(() -> {
            Optional<Instant> previous = sql.queryOne("SELECT last_slot_at FROM job_state WHERE job_id = ? FOR UPDATE",
                    rs -> Sql.instant(rs, "last_slot_at"), jobId);
            if (previous.isPresent() && !previous.get().isBefore(slot)) {
                return Optional.empty();
            }
            if (sql.update("UPDATE job_state SET last_slot_at = ? WHERE job_id = ?", slot, jobId) != 1) {
                return Optional.empty(); // the job's state is gone: the job was deleted meanwhile
            }
            return Optional.of(previous.orElse(slot));
        });
    }

    public Optional<Instant> lastSlot(String jobId) throws SQLException {
        return sql.queryOne("SELECT last_slot_at FROM job_state WHERE job_id = ?", rs -> Sql.instant(rs,
                "last_slot_at"), jobId);
    }

    public boolean paused(String jobId) throws SQLException {
        return sql.queryOne("SELECT paused FROM job_state WHERE job_id = ?", rs -> rs.getBoolean(1), jobId)
                .orElse(false);
    }

    public void setPaused(String jobId, boolean paused) throws SQLException {
        sql.update("UPDATE job_state SET paused = ? WHERE job_id = ?", paused, jobId);
    }

    public void deleteState(String jobId) throws SQLException {
        sql.update("DELETE FROM job_state WHERE job_id = ?", jobId);
    }
}
