package io.nomadcamel.jobs;

import java.nio.file.Path;

import com.zaxxer.hikari.HikariDataSource;
import io.nomadcamel.jobs.scheduler.SchedulerService;
import io.nomadcamel.jobs.store.Database;
import io.nomadcamel.jobs.web.PortCheck;
import io.nomadcamel.jobs.web.ServerPortEngine;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Binds the beans every job shares. Settings are read through {@link Settings}, so a malformed value fails start-up
 * with a message naming its key and environment variable.
 */
public class AppConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        context.getRegistry().bind("settings", settings);
        int serverPort = settings.port("server.port", 8080);
        PortCheck.assertFree(settings.string("camel.server.host", "0.0.0.0"), serverPort, "server.port, SERVER_PORT");
        PortCheck.assertFree(settings.string("camel.management.host", "0.0.0.0"),
                settings.port("management.port", 9090), "management.port, MANAGEMENT_PORT");

        Database.Config database = new Database.Config(
                settings.string("db.url", null),
                settings.string("db.user", null),
                settings.string("db.password", null),
                Path.of(settings.string("data.dir", "data")),
                settings.integer("db.pool-size", 10));
        HikariDataSource dataSource = Database.open(database);
        context.getRegistry().bind("dataSource", dataSource);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                dataSource.close();
            }
        }, true, true);

        ServerPortEngine.install(context, serverPort);
        SchedulerService.install(context, dataSource, database, settings);
    }
}
