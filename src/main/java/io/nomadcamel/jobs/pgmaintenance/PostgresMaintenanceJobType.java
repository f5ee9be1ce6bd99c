package io.nomadcamel.jobs.pgmaintenance;

import java.util.List;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.scheduler.InputSchema;
import io.nomadcamel.jobs.scheduler.JobType;
import io.nomadcamel.jobs.scheduler.Prerequisites;

/** The {@code postgres-maintenance} job type's contract: how many databases at once, and the server's settings. */
public final class PostgresMaintenanceJobType extends JobType {

    /** The most databases vacuumed at once; the split's threads are sized for it. */
    public static final int MAX_CONCURRENCY = 16;

    public static final InputSchema INPUT = InputSchema.of("postgres-maintenance")
            .integer("concurrency", 2, 1, MAX_CONCURRENCY, "databases vacuumed at once")
            .build();

    public PostgresMaintenanceJobType() {
        super("postgres-maintenance", "VACUUM (ANALYZE) of every PostgreSQL database, a few at a time", INPUT);
    }

    @Override
    public List<String> problems(Settings settings) {
        return new Prerequisites(settings).set("pg.host").set("pg.user").problems();
    }
}
