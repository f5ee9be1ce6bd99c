package io.nomadcamel.jobs.backup;

import java.util.List;
import java.util.Map;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.scheduler.InputSchema;
import io.nomadcamel.jobs.scheduler.JobType;
import io.nomadcamel.jobs.scheduler.Prerequisites;

/** The {@code restore-drill} job type's contract: its input and the settings a drill needs. */
public final class RestoreDrillJobType extends JobType {

    /** The most databases restored at once; the drill's threads are sized for it. */
    static final int MAX_CONCURRENCY = 16;

    public static final InputSchema INPUT = InputSchema.of("restore-drill")
            .choice("source", List.of("s3", "local"), "where the dumps are fetched from: s3 or local (BACKUP_DIR)")
            .textList("databases", "the databases to drill; default every database of the newest successful backup")
            .integer("concurrency", 1, 1, MAX_CONCURRENCY, "databases restored at once")
            .build();

    public RestoreDrillJobType() {
        super("restore-drill", "Restores the newest dump of each database into a scratch database on DRILL_PG_HOST, "
                + "checks its SHA-256 and every table's row count against the backup's manifest, then drops it",
                INPUT);
    }

    @Override
    public List<String> problems(Settings settings) {
        Prerequisites p = new Prerequisites(settings).set("pg.host").set("pg.user")
                .programIn("pg.bin-dir", "pg_restore");
        return BackupJobType.s3(p).problems();
    }

    /** A drill's checked input. */
    record Input(boolean fromS3, List<String> databases, int concurrency) {

        @SuppressWarnings("unchecked")
        static Input from(Map<String, Object> input) {
            Map<String, Object> in = INPUT.check(input == null ? Map.of() : input);
            return new Input("s3".equals(in.get("source")), (List<String>) in.get("databases"),
                    (int) in.get("concurrency"));
        }
    }
}
