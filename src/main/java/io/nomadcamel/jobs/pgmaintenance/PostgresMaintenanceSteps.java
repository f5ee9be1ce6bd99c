package io.nomadcamel.jobs.pgmaintenance;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import io.nomadcamel.jobs.postgres.ManagedServer;
import io.nomadcamel.jobs.scheduler.RunContext;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/**
 * The steps of {@code routes/postgres-maintenance.camel.yaml} (bean {@code postgresMaintenance}): {@link #plan} the
 * run, read the {@link #databases} the route's {@code jdbc:} step listed, {@link #vacuum} one of them (called by the
 * route's parallel split), {@link #report} the outcome.
 */
public final class PostgresMaintenanceSteps {

    /**
     * Checks the input (naming any bad field), sets up the run's permits on the server ({@code postgresServer}), its
     * stop and its end hook.
     */
    public void plan(@Body Map<String, Object> input, @ExchangeProperty(RunContext.PROPERTY) RunContext run,
            Exchange exchange) {
        Map<String, Object> in = PostgresMaintenanceJobType.INPUT.check(input);
        ManagedServer server = exchange.getContext().getRegistry().lookupByNameAndType(ManagedServer.BEAN,
                ManagedServer.class);
        VacuumRun vacuum = new VacuumRun(run, server, (int) in.get("concurrency"));
        run.track(vacuum);
        run.onEnd("postgres-maintenance", vacuum::awaitSettled);
        exchange.setProperty(VacuumRun.PROPERTY, vacuum);
        run.progress("listing the databases");
    }

    /** The names from the {@code jdbc:} step's rows. */
    public List<String> databases(@ExchangeProperty(VacuumRun.PROPERTY) VacuumRun vacuum,
            @Body List<Map<String, Object>> rows) {
        List<String> names = ManagedServer.databaseNames(rows);
        vacuum.databases(names.size());
        vacuum.run().progress("vacuuming " + names.size() + " databases, " + vacuum.concurrency() + " at a time");
        return names;
    }

    /**
     * {@code VACUUM (ANALYZE)} in one database, on a connection of its own (autocommit: VACUUM cannot run in a
     * transaction), once one of the run's permits is free. Never throws: the outcome is recorded, so that every
     * database is tried; {@link #report} fails the run.
     */
    public void vacuum(@ExchangeProperty(VacuumRun.PROPERTY) VacuumRun vacuum, @Body String database) {
        try {
            vacuum.run().acquire(vacuum.permits());
        } catch (RunContext.RunStoppedException e) {
            vacuum.record(new VacuumRun.Outcome(database, 0, "not started: the run was stopped"));
            return;
        }
        long start = System.nanoTime();
        try {
            if (!vacuum.beginStatement()) {
                vacuum.record(new VacuumRun.Outcome(database, 0, "not started: the run was stopped"));
                return;
            }
            try (Connection c = vacuum.server().connect(database, vacuum.applicationName());
                    Statement st = c.createStatement()) {
                c.setAutoCommit(true);
                st.execute("VACUUM (ANALYZE)");
                vacuum.record(new VacuumRun.Outcome(database, seconds(start), null));
            } catch (SQLException e) {
                String error = vacuum.run().stopped() ? "cancelled (the run was stopped): " + e.getMessage()
                        : e.getMessage();
                vacuum.record(new VacuumRun.Outcome(database, seconds(start), error));
            } finally {
                vacuum.endStatement();
            }
        } finally {
            vacuum.permits().release();
        }
    }

    /** The result; fails the run, naming each failed database, once all were tried. */
    public Map<String, Object> report(@ExchangeProperty(VacuumRun.PROPERTY) VacuumRun vacuum) {
        List<VacuumRun.Outcome> outcomes = vacuum.outcomes();
        List<String> failed = outcomes.stream().filter(o -> o.error() != null)
                .map(o -> o.name() + " (" + o.error() + ")").toList();
        vacuum.run().checkNotStopped();
        if (!failed.isEmpty()) {
            throw new MaintenanceFailedException("VACUUM (ANALYZE) failed in " + failed.size() + " of "
                    + outcomes.size() + " databases: " + String.join("; ", failed));
        }
        return Map.of("concurrency", vacuum.concurrency(),
                "databases", outcomes.stream().map(VacuumRun.Outcome::json).toList());
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Some databases could not be vacuumed; the others were. */
    public static final class MaintenanceFailedException extends RuntimeException {
        public MaintenanceFailedException(String message) {
            super(message, null, false, false);
        }
    }
}
