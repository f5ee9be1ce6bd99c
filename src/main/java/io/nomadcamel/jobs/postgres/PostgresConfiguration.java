package io.nomadcamel.jobs.postgres;

import io.nomadcamel.jobs.Settings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** Binds {@code postgresServer}, the server the backup and postgres-maintenance routes list databases from. */
public class PostgresConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camel) {
        camel.getRegistry().bind(ManagedServer.BEAN, new ManagedServer(() -> ServerSettings.from(Settings.of(camel))));
    }
}
