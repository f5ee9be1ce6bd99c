package io.nomadcamel.jobs.scheduler;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import io.nomadcamel.jobs.testsupport.PostgresServer;

/** Reads the runs table of a test database, so scheduler tests assert on what was recorded. */
final class RunRows {

    record Row(long id, String job, String trigger, String state, String reason, int attempt, Instant slotAt,
            Instant queuedAt, Instant startedAt, Instant finishedAt, String result, String error, String instance) {

        boolean ran() {
            return startedAt != null;
        }
    }

    private final PostgresServer pg;
    private final String database;

    RunRows(PostgresServer pg, String database) {
        this.pg = pg;
        this.database = database;
    }

    List<Row> all(String jobId) {
        List<Row> rows = new ArrayList<>();
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, job_id, trigger_kind, state, reason, attempt, slot_at, "
                        + "queued_at, started_at, finished_at, result, error, instance FROM runs WHERE job_id = '"
                        + jobId + "' ORDER BY id")) {
            while (rs.next()) {
                rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getInt(6), instant(rs, 7), instant(rs, 8), instant(rs, 9), instant(rs, 10),
                        rs.getString(11), rs.getString(12), rs.getString(13)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    /** Waits until the job's rows satisfy the condition, failing with the rows seen. */
    List<Row> await(String jobId, Duration timeout, String what, Predicate<List<Row>> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Row> rows = all(jobId);
        while (!condition.test(rows)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; runs of " + jobId + ":\n"
                        + String.join("\n", rows.stream().map(Row::toString).toList()));
            }
            sleep(100);
            rows = all(jobId);
        }
        return rows;
    }

    static long count(List<Row> rows, String state) {
        return rows.stream().filter(r -> r.state().equals(state)).count();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
