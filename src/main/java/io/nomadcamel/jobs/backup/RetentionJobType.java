package io.nomadcamel.jobs.backup;

import java.util.List;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.scheduler.InputSchema;
import io.nomadcamel.jobs.scheduler.JobType;
import io.nomadcamel.jobs.scheduler.Prerequisites;

/** The {@code backup-retention} job type's contract: its input and the settings retention needs. */
public final class RetentionJobType extends JobType {

    public static final InputSchema INPUT = InputSchema.of("backup-retention")
            .integer("local_days", 7, 0, 100_000, "local backup files older than this many days are deleted")
            .integer("s3_days", 30, 0, 100_000, "S3 backup objects older than this many days are deleted")
            .bool("dry_run", false, "list what would be deleted and delete nothing")
            .build();

    public RetentionJobType() {
        super("backup-retention", "Deletes old backups in BACKUP_DIR and S3, never the newest of a series", INPUT);
    }

    @Override
    public List<String> problems(Settings settings) {
        return BackupJobType.s3(new Prerequisites(settings).writableDir("backup.dir", "backups")).problems();
    }
}
