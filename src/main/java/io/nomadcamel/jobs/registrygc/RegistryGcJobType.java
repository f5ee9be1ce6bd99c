package io.nomadcamel.jobs.registrygc;

import java.util.List;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.cleanup.NodeCleanupJobType;
import io.nomadcamel.jobs.maintenance.MaintenanceRequest;
import io.nomadcamel.jobs.scheduler.InputSchema;
import io.nomadcamel.jobs.scheduler.JobType;
import io.nomadcamel.jobs.scheduler.Prerequisites;

/**
 * The {@code registry-gc} job type's contract: its input (design §5 names and defaults; the durations override the
 * maintenance.* settings for one job) and the settings it needs: those of node access, and a usable
 * REGISTRY_GC_COMMAND when one is set (GcCommand's rules).
 */
public final class RegistryGcJobType extends JobType {

    public static final InputSchema INPUT = InputSchema.of("registry-gc")
            .text("job_name", "registry", "the Nomad job that runs the registry")
            .text("group_name", null, "its task group (default: job_name)")
            .absolutePath("registry_data_dir", "/mnt/gdrive/munchbox-data/registry",
                    "the registry's storage on its node")
            .text("registry_image", "registry:3", "the image whose garbage-collect runs")
            .bool("dry_run", true, "report what would be deleted and delete nothing")
            .bool("delete_untagged", true, "also delete manifests no tag points to")
            .duration("drain_timeout", "how long the registry may take to stop (default maintenance.drain-timeout)")
            .duration("start_timeout", "how long it may take to run again (default maintenance.start-timeout)")
            .duration("gc_timeout", "how long the garbage collection may take (default maintenance.command-timeout)")
            .build();

    public RegistryGcJobType() {
        super("registry-gc",
                "Stops the Docker registry, garbage-collects its storage on its node over SSH, always starts it again",
                INPUT);
    }

    @Override
    public List<String> problems(Settings settings) {
        Prerequisites p = NodeCleanupJobType.nodeAccess(new Prerequisites(settings));
        String template = settings.string(GcCommand.SETTING, GcCommand.DEFAULT_TEMPLATE);
        if (!template.contains("{flags}")) {
            p.problem(Settings.envName(GcCommand.SETTING) + " does not contain {flags}: a dry run would delete");
        }
        if (MaintenanceRequest.runsUnnamedContainer(template)) {
            p.problem(Settings.envName(GcCommand.SETTING) + " runs docker run without --name {container_name}");
        }
        return p.problems();
    }
}
