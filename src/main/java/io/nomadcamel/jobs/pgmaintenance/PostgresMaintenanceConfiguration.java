package io.nomadcamel.jobs.pgmaintenance;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.postgres.TargetServer;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * Binds what {@code routes/postgres-maintenance.camel.yaml} uses: {@code postgresServer} (the DataSource of its
 * {@code jdbc:} step), {@code postgresMaintenance} (its steps) and {@code postgresMaintenanceThreads} (the split's
 * threads, shared by all runs; how many vacuum at once is each run's {@code concurrency}, a semaphore per run).
 */
public class PostgresMaintenanceConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camel) {
        TargetServer server = new TargetServer(() -> Settings.of(camel));
        camel.getRegistry().bind("postgresServer", server);
        camel.getRegistry().bind("postgresMaintenance", new PostgresMaintenanceSteps(server));
        camel.getRegistry().bind("postgresMaintenanceThreads", camel.getExecutorServiceManager()
                .newFixedThreadPool(this, "postgres-maintenance", PostgresMaintenanceJobType.MAX_CONCURRENCY));
    }
}
