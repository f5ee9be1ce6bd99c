package io.nomadcamel.jobs.pgmaintenance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

import io.nomadcamel.jobs.postgres.ManagedServer;
import io.nomadcamel.jobs.process.ExecProfiles;
import io.nomadcamel.jobs.scheduler.RunContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One postgres-maintenance run: its {@code concurrency} permits (the split's threads are shared by every run), the
 * outcome per database, and the stop. Every session of the run carries {@link #applicationName()} (with the run id),
 * so that a stop can cancel exactly its own statements with {@code pg_cancel_backend}, from a connection of its own.
 */
final class VacuumRun implements AutoCloseable {

    static final String PROPERTY = "vacuumRun";
    private static final Logger LOG = LoggerFactory.getLogger(VacuumRun.class);
    private static final long CANCEL_FOR_MILLIS = 10_000;

    /** One database's outcome: seconds spent in VACUUM, error null when it succeeded. */
    record Outcome(String name, double seconds, String error) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("seconds", Math.round(seconds * 1000) / 1000.0);
            m.put("error", error);
            return m;
        }
    }

    private final RunContext run;
    private final ManagedServer server;
    private final int concurrency;
    private final Semaphore permits;
    private final List<Outcome> outcomes = new ArrayList<>();
    private int databases;
    private int statementsRunning;
    private boolean stopped;

    VacuumRun(RunContext run, ManagedServer server, int concurrency) {
        this.run = run;
        this.server = server;
        this.concurrency = concurrency;
        this.permits = new Semaphore(concurrency, true);
    }

    RunContext run() {
        return run;
    }

    int concurrency() {
        return concurrency;
    }

    Semaphore permits() {
        return permits;
    }

    ManagedServer server() {
        return server;
    }

    /**
     * {@code nomad-camel-jobs postgres-maintenance run <id>} in pg_stat_activity for every session of the run, as the
     * backup's pg_dump sessions are named.
     */
    String applicationName() {
        return ExecProfiles.pgApplicationName(run);
    }

    synchronized void databases(int count) {
        databases = count;
    }

    /** Whether a statement may start now; false once the run is stopped (so none starts after the cancel). */
    synchronized boolean beginStatement() {
        if (stopped || run.stopped()) {
            return false;
        }
        statementsRunning++;
        return true;
    }

    synchronized void endStatement() {
        statementsRunning--;
        notifyAll();
    }

    synchronized void record(Outcome outcome) {
        outcomes.add(outcome);
        notifyAll();
        long failed = outcomes.stream().filter(o -> o.error() != null).count();
        run.progress("vacuumed " + outcomes.size() + "/" + databases + " databases"
                + (failed > 0 ? " (" + failed + " failed)" : ""));
        run.putResult("databases", outcomes.stream().map(Outcome::json).toList());
    }

    /**
     * The run's end hook: a stopped run's route returns while its statements are being cancelled; the run ends (and
     * its result is taken) once every database has its outcome and no statement of the run is left.
     */
    String awaitSettled(RunContext ended) throws InterruptedException {
        long deadline = System.currentTimeMillis() + CANCEL_FOR_MILLIS + 5_000;
        synchronized (this) {
            while (statementsRunning > 0 || (run.stopped() && outcomes.size() < databases)) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return statementsRunning > 0 ? statementsRunning + " VACUUM statement(s) of the run were still "
                            + "running when it ended" : null;
                }
                wait(Math.min(left, 100));
            }
        }
        return null;
    }

    synchronized List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    /**
     * The run's stop (RunContext closes what the run tracks): no statement starts from now on, and the running ones
     * are cancelled. A statement may be on its way to the server as the stop comes, so the cancel is repeated, in the
     * background, until none of the run's sessions is active (at most {@value #CANCEL_FOR_MILLIS} ms).
     */
    @Override
    public void close() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        Thread canceller = new Thread(this::cancelRunningStatements, "postgres-maintenance-cancel-" + run.runId());
        canceller.setDaemon(true);
        canceller.start();
    }

    private void cancelRunningStatements() {
        long deadline = System.currentTimeMillis() + CANCEL_FOR_MILLIS;
        try (Connection c = server.connect(server.listingDatabase(), applicationName() + " (stop)");
                PreparedStatement cancel = c.prepareStatement("SELECT pid, datname, pg_cancel_backend(pid) "
                        + "FROM pg_stat_activity WHERE application_name = ? AND state = 'active' "
                        + "AND pid <> pg_backend_pid()")) {
            cancel.setString(1, applicationName());
            while (true) {
                int cancelled = 0;
                try (ResultSet rs = cancel.executeQuery()) {
                    while (rs.next()) {
                        cancelled++;
                        LOG.info("Run {} stopped: cancelled the VACUUM of database {} (backend {})", run.runId(),
                                rs.getString(2), rs.getInt(1));
                    }
                }
                synchronized (this) {
                    if (cancelled == 0 && statementsRunning == 0) {
                        return;
                    }
                }
                if (System.currentTimeMillis() > deadline) {
                    LOG.warn("Run {} stopped: its VACUUM statements were still running after {} ms of cancelling",
                            run.runId(), CANCEL_FOR_MILLIS);
                    return;
                }
                Thread.sleep(100);
            }
        } catch (SQLException e) {
            LOG.warn("Run {} stopped, but its VACUUM statements could not be cancelled: {}", run.runId(),
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
