package io.nomadcamel.jobs.backup;

import java.util.List;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.s3.S3Settings;
import io.nomadcamel.jobs.scheduler.InputSchema;
import io.nomadcamel.jobs.scheduler.JobType;
import io.nomadcamel.jobs.scheduler.Prerequisites;

/** The {@code backup} job type's contract: its input ({@link BackupInput}) and the settings a backup needs. */
public final class BackupJobType extends JobType {

    public static final InputSchema INPUT = InputSchema.of("backup")
            .integer("local_days", 7, 0, 100_000, "local backup files older than this many days are deleted")
            .integer("s3_days", 30, 0, 100_000, "S3 backup objects older than this many days are deleted")
            .integer("dump_concurrency", 4, 1, BackupInput.MAX_DUMP_CONCURRENCY, "databases dumped at once")
            .build();

    public BackupJobType() {
        super("backup",
                "Nomad and Consul snapshots and a dump of every PostgreSQL database, kept in BACKUP_DIR and S3",
                INPUT);
    }

    @Override
    public List<String> problems(Settings settings) {
        Prerequisites p = new Prerequisites(settings).set("pg.host").set("pg.user")
                .writableDir("backup.dir", "backups")
                .program("nomad.bin", "nomad").program("consul.bin", "consul")
                .programIn("pg.bin-dir", "pg_dump").programIn("pg.bin-dir", "pg_dumpall")
                .programIn("pg.bin-dir", "pg_restore");
        return s3(p).problems();
    }

    /** Backups and their retention both fail without these (S3Settings.from). */
    static Prerequisites s3(Prerequisites p) {
        return p.set(S3Settings.ENDPOINT).set(S3Settings.BUCKET).set(S3Settings.ACCESS_KEY).set(S3Settings.SECRET_KEY);
    }
}
