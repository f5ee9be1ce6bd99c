package io.nomadcamel.jobs.scheduler;

import java.util.Properties;

import javax.sql.DataSource;

import io.nomadcamel.jobs.Meters;
import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.store.Database;
import io.nomadcamel.jobs.store.Sql;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ties the scheduler to Camel's lifecycle: jobs are validated once the routes (the job types) are known, an invalid
 * properties job failing start-up; runs start once every route is up; on shutdown, runs are stopped before the
 * routes they run in.
 */
public final class SchedulerService extends EventNotifierSupport implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(SchedulerService.class);

    private final DataSource dataSource;
    private final Database.Config database;
    private final Settings settings;
    private volatile Scheduler scheduler;

    public SchedulerService(DataSource dataSource, Database.Config database, Settings settings) {
        this.dataSource = dataSource;
        this.database = database;
        this.settings = settings;
    }

    public static void install(CamelContext camel, DataSource dataSource, Database.Config database,
            Settings settings) throws Exception {
        SchedulerService service = new SchedulerService(dataSource, database, settings);
        camel.addStartupListener(service);
        camel.getManagementStrategy().addEventNotifier(service);
        camel.getRegistry().bind("schedulerService", service);
    }

    /** The running scheduler; the HTTP API and the console use it. */
    public Scheduler scheduler() {
        Scheduler s = scheduler;
        if (s == null) {
            throw new IllegalStateException("the scheduler is not started yet");
        }
        return s;
    }

    @Override
    public void onCamelContextStarted(CamelContext camel, boolean alreadyStarted) throws Exception {
        if (scheduler != null) {
            return;
        }
        SchedulerConfig config = SchedulerConfig.from(settings);
        JobTypes contracts = JobTypes.load(settings, () -> camel.getRegistry().findByType(JobType.class));
        JobRegistry registry = new JobRegistry(new JobDefinitions(JobRegistry.jobTypes(camel), contracts));
        Properties jobProperties = camel.getPropertiesComponent().loadProperties(k -> k.startsWith("jobs."));
        registry.loadProperties(jobProperties);
        Sql sql = new Sql(dataSource);
        JobStore jobStore = new JobStore(sql);
        registry.syncStored(jobStore).forEach(LOG::warn);
        registry.attach(jobStore);
        RunExecutor executor = new RunExecutor(camel);
        SchedulerMetrics metrics = new SchedulerMetrics(Meters.of(camel), executor::activeCount);
        scheduler = new Scheduler(config, registry, sql, executor, metrics, onSlot -> new QuartzTicker(dataSource,
                !database.embedded(), config.instanceId(), config.clusterCheckin().toMillis(), onSlot));
        HealthCheckRegistry health = HealthCheckRegistry.get(camel);
        if (health != null) {
            health.register(new JobsHealthCheck(scheduler.readiness()));
        }
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext camel, boolean alreadyStarted) throws Exception {
        scheduler().start();
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStoppingEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        Scheduler s = scheduler;
        if (s != null) {
            s.shutdown();
        }
    }
}
