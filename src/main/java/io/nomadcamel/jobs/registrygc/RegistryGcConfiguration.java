package io.nomadcamel.jobs.registrygc;

import io.nomadcamel.jobs.maintenance.IntentRecovery;
import io.nomadcamel.jobs.maintenance.MaintenanceEnvironment;
import io.nomadcamel.jobs.maintenance.OfflineMaintenance;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Binds the beans of {@code routes/registry-gc.camel.yaml}: {@code offlineMaintenance} (the reusable building block,
 * usable by any route that takes a Nomad job offline) and {@code registryGc} (the registry's own steps), and runs the
 * recovery of intents left open by dead runs once Camel is up. Everything it needs (settings, database, scheduler,
 * SSH client) is looked up at first use, since configuration classes run in no guaranteed order.
 */
public class RegistryGcConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camel) throws Exception {
        MaintenanceEnvironment environment = new MaintenanceEnvironment(camel);
        camel.getRegistry().bind("offlineMaintenance", new OfflineMaintenance(environment));
        camel.getRegistry().bind("registryGc", new RegistryGc(environment::settings, () -> io.nomadcamel.jobs.Meters.of(camel)));
        IntentRecovery recovery = new IntentRecovery(environment);
        camel.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                // the scheduler starts in onCamelContextFullyStarted too; recovery waits for it by itself
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                recovery.start();
            }
        });
        // stopped after the scheduler has stopped the runs (and their compensations), which happens as Camel starts
        // stopping, before services
        camel.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                recovery.stop();
                environment.close();
            }
        }, true, true);
    }
}
