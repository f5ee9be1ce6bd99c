package io.nomadcamel.jobs.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.S3ProxyServer;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The restore drill as operators run it: the application's default job restore-drill-weekly over the HTTP API, an
 * instance killed (SIGKILL) in the middle of a restore, and the next instance's drill that drops the scratch database
 * the crash left, verifies every database, and exposes when each was verified as a metric.
 */
class RestoreDrillAppTest {

    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    @RegisterExtension
    static final S3ProxyServer S3 = new S3ProxyServer();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = BackupAppTest.API_TOKEN;

    @Test
    void aDrillKilledMidRestoreLeavesAScratchDatabaseThatTheNextDrillDropsBeforeVerifyingEveryDatabase()
            throws Exception {
        BackupDatabases.create(PG, Map.of("shop", 25, "shop analytics", 5));
        S3.createBucket("cluster-backups");
        Path backups = TempDirs.create("drill-app-backups");
        try (FakeClis clis = FakeClis.install(); PgWrappers pgBin = PgWrappers.around(PG.binDir(),
                BackupRig.PG_PASSWORD)) {
            clis.set("nomad", "token", BackupRig.NOMAD_TOKEN).set("consul", "token", BackupRig.CONSUL_TOKEN);
            Map<String, String> env = BackupAppTest.appEnvironment(PG, S3, clis, pgBin, backups, "cluster-backups");
            String killedScratch;
            try (AppProcess app = AppProcess.start(env).awaitReady(Duration.ofSeconds(90))) {
                JsonNode job = JSON.readTree(app.api("GET", "/api/jobs/restore-drill-weekly", null, null).body());
                assertEquals("restore-drill", job.path("type").asText(), job.toString());
                assertEquals("0 0 7 ? * SUN", job.path("cron").asText(), job.toString());
                assertTrue(job.path("ready").asBoolean(), job.toString());
                assertEquals("SUCCEEDED", trigger(app, "backup-daily").path("state").asText());

                pgBin.delay("pg_restore", 120);
                HttpResponse<String> started = app.api("POST", "/api/jobs/restore-drill-weekly/runs", null, TOKEN);
                assertEquals(202, started.statusCode(), started.body());
                long deadline = System.currentTimeMillis() + 60_000;
                while (BackupDatabases.scratchDatabases(PG).isEmpty()) {
                    assertTrue(System.currentTimeMillis() < deadline, "the drill never created a scratch database");
                    Thread.sleep(100);
                }
                killedScratch = BackupDatabases.scratchDatabases(PG).get(0);
                app.kill();
            } finally {
                pgBin.delay("pg_restore", 0);
                // the killed instance's pg_restore wrapper outlives it, as it would on a host: end it here
                ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("")
                        .contains(pgBin.dir().toString())).forEach(ProcessHandle::destroyForcibly);
            }
            assertEquals(List.of(killedScratch), BackupDatabases.scratchDatabases(PG),
                    "the crash left its scratch database");

            try (AppProcess app = AppProcess.start(env).awaitReady(Duration.ofSeconds(90))) {
                JsonNode run = trigger(app, "restore-drill-weekly");

                assertEquals("SUCCEEDED", run.path("state").asText(), run.toPrettyString());
                JsonNode r = run.path("result");
                assertEquals(List.of(killedScratch), text(r.path("stale_scratch_dropped")));
                assertEquals(List.of("postgres", "shop", "shop analytics"), r.path("databases")
                        .findValuesAsText("database"));
                assertEquals(List.of(), BackupDatabases.scratchDatabases(PG));
                String metrics = AppProcess.get(app.managementUrl("/observe/metrics")).body();
                for (String db : List.of("postgres", "shop", "shop analytics")) {
                    assertTrue(metrics.contains("ncj_backup_last_verified_timestamp_seconds{database=\"" + db + "\"}"),
                            db + " verified, as a metric: " + metrics.lines()
                                    .filter(l -> l.contains("verified")).toList());
                }
            }
        } finally {
            TempDirs.delete(backups);
        }
    }

    private static JsonNode trigger(AppProcess app, String job) throws Exception {
        HttpResponse<String> started = app.api("POST", "/api/jobs/" + job + "/runs", null, TOKEN);
        assertEquals(202, started.statusCode(), started.body());
        return BackupAppTest.awaitFinished(app, JSON.readTree(started.body()).path("run_id").asLong());
    }

    private static List<String> text(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }
}
