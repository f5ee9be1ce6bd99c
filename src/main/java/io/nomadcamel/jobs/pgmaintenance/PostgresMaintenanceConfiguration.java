package io.nomadcamel.jobs.pgmaintenance;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * Binds what {@code routes/postgres-maintenance.camel.yaml} uses besides the shared {@code postgresServer}:
 * {@code postgresMaintenance} (its steps) and {@code postgresMaintenanceThreads} (the split's threads, shared by all
 * runs; how many vacuum at once is each run's {@code concurrency}, a semaphore per run).
 */
public class PostgresMaintenanceConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camel) {
        camel.getRegistry().bind("postgresMaintenance", new PostgresMaintenanceSteps());
        camel.getRegistry().bind("postgresMaintenanceThreads", camel.getExecutorServiceManager()
                .newFixedThreadPool(this, "postgres-maintenance", PostgresMaintenanceJobType.MAX_CONCURRENCY));
    }
}
