package io.nomadcamel.jobs.maintenance;

import javax.sql.DataSource;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.nomad.NomadClient;
import io.nomadcamel.jobs.scheduler.Scheduler;
import io.nomadcamel.jobs.scheduler.SchedulerService;
import io.nomadcamel.jobs.ssh.RemoteShell;
import io.nomadcamel.jobs.ssh.SshSettings;
import io.nomadcamel.jobs.store.Sql;
import org.apache.camel.CamelContext;

/**
 * What offline maintenance needs from the application, looked up at first use: configuration classes run in no
 * guaranteed order, and a job's settings are read when it runs, so a missing one fails that run (naming the
 * variable) and nothing else. Owns the SSH client it starts lazily (its own, so it does not depend on another job's
 * wiring) and closes it with the application.
 */
public final class MaintenanceEnvironment implements AutoCloseable {

    private final CamelContext camel;
    private volatile RemoteShell shell;
    private volatile MaintenanceMetrics metrics;
    private volatile IntentStore intents;

    public MaintenanceEnvironment(CamelContext camel) {
        this.camel = camel;
    }

    public Settings settings() {
        return Settings.of(camel);
    }

    public MaintenanceSettings timings() {
        return MaintenanceSettings.from(settings());
    }

    /** A Nomad client from the current settings (NOMAD_ADDR, NOMAD_TOKEN, NOMAD_CACERT). */
    public NomadGroups nomad() {
        return new NomadGroups(NomadClient.from(settings()));
    }

    /** The SSH client, started on first use from SSH_KEY_PATH, SSH_CERT_PATH and SSH_HOST_CA_PATH. */
    public RemoteShell shell() {
        RemoteShell s = shell;
        if (s == null) {
            synchronized (this) {
                s = shell;
                if (s == null) {
                    s = RemoteShell.start(SshSettings.from(settings()));
                    shell = s;
                }
            }
        }
        return s;
    }

    public IntentStore intents() {
        IntentStore store = intents;
        if (store == null) {
            DataSource dataSource = camel.getRegistry().lookupByNameAndType("dataSource", DataSource.class);
            if (dataSource == null) {
                throw new IllegalStateException("no dataSource bound: the application's database is not set up");
            }
            store = new IntentStore(new Sql(dataSource));
            intents = store;
        }
        return store;
    }

    /** The running scheduler: instance id, which runs live here, the runs table. */
    public Scheduler scheduler() {
        SchedulerService service = camel.getRegistry().lookupByNameAndType("schedulerService", SchedulerService.class);
        if (service == null) {
            throw new IllegalStateException("the scheduler is not installed");
        }
        return service.scheduler();
    }

    public MaintenanceMetrics metrics() {
        MaintenanceMetrics m = metrics;
        if (m == null) {
            synchronized (this) {
                m = metrics;
                if (m == null) {
                    m = new MaintenanceMetrics(io.nomadcamel.jobs.Meters.of(camel));
                    metrics = m;
                }
            }
        }
        return m;
    }

    @Override
    public synchronized void close() {
        if (shell != null) {
            shell.close();
            shell = null;
        }
    }
}
