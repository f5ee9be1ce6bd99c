package io.nomadcamel.jobs.backup;

import java.util.function.Supplier;

import io.nomadcamel.jobs.Settings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * Binds the beans of the {@code backup} and {@code backup-retention} routes. Configuration classes run in no set
 * order, so the shared "settings" bean is looked up when a run needs it, never here; no setting is read at
 * start-up, so a missing one fails the backup's runs and nothing else.
 */
public class BackupConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camel) {
        Supplier<Settings> settings = () -> Settings.of(camel);
        BackupMetrics metrics = new BackupMetrics(camel);
        Registry registry = camel.getRegistry();
        registry.bind("backupJob", new BackupSteps(camel, settings, metrics));
        registry.bind("backupSnapshots", new SnapshotSteps());
        registry.bind("backupPostgres", new PostgresSteps());
        registry.bind("backupArtifacts", new ArtifactSteps(metrics));
        registry.bind("backupManifest", new ManifestSteps());
        registry.bind("backupRetention", new RetentionSteps(settings, metrics));
        registry.bind("drillJob", new DrillSteps(settings, metrics));
        registry.bind("drillThreads", camel.getExecutorServiceManager()
                .newFixedThreadPool(this, "restore-drill", RestoreDrillJobType.MAX_CONCURRENCY));
        // the split's threads; how many dump at once is the run's dump_concurrency (a semaphore per run)
        registry.bind("backupDumpThreads", camel.getExecutorServiceManager()
                .newFixedThreadPool(this, "backup-dump", BackupInput.MAX_DUMP_CONCURRENCY));
    }
}
