package io.nomadcamel.jobs.cleanup;

import java.util.List;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.scheduler.InputSchema;
import io.nomadcamel.jobs.scheduler.JobType;
import io.nomadcamel.jobs.scheduler.Prerequisites;
import io.nomadcamel.jobs.ssh.SshSettings;

/** The {@code node-cleanup} job type's contract: its input ({@link CleanupInput}) and the settings it needs. */
public final class NodeCleanupJobType extends JobType {

    public static final InputSchema INPUT = InputSchema.of("node-cleanup")
            .absolutePath(CleanupInput.DATA_DIR, "/opt/nomad/data", "Nomad's data dir on the client nodes")
            .integer(CleanupInput.GRACE_DAYS, 7, 0, 36_500, "entries younger than this many whole days are kept")
            .bool(CleanupInput.DRY_RUN, true, "report what would be deleted and delete nothing")
            .bool(CleanupInput.DOCKER_PRUNE, false, "also prune Docker images and containers on the nodes")
            .integer(CleanupInput.NODE_CONCURRENCY, 4, 1, 64, "nodes cleaned at once")
            .build();

    public NodeCleanupJobType() {
        super("node-cleanup",
                "Deletes what finished jobs left in the client nodes' Nomad data dirs, over SSH (dry run by default)",
                INPUT);
    }

    @Override
    public List<String> problems(Settings settings) {
        return nodeAccess(new Prerequisites(settings)).problems();
    }

    /** What every job that works on client nodes over SSH needs: the Nomad API and the SSH credentials. */
    public static Prerequisites nodeAccess(Prerequisites p) {
        return p.set("nomad.addr").readableFile(SshSettings.KEY_PATH).readableFile(SshSettings.CERT_PATH)
                .readableFile(SshSettings.HOST_CA_PATH);
    }
}
