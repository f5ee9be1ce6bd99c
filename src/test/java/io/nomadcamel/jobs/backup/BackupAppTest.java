package io.nomadcamel.jobs.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
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
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The backup as operators run it: the application process with its application.properties (the default job
 * backup-daily), settings from environment variables only, a run triggered over the HTTP API.
 */
class BackupAppTest {

    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    @RegisterExtension
    static final S3ProxyServer S3 = new S3ProxyServer();
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String API_TOKEN = "api-token-backup-0c1d";

    @Test
    void theDefaultJobBacksUpWithSettingsFromTheEnvironmentAndReportsOverTheApi() throws Exception {
        BackupDatabases.create(PG, Map.of("shop", 25, "shop analytics", 5));
        S3.createBucket("cluster-backups");
        Path backups = TempDirs.create("app-backups");
        try (FakeClis clis = FakeClis.install(); PgWrappers pgBin = PgWrappers.around(PG.binDir(),
                BackupRig.PG_PASSWORD)) {
            clis.set("nomad", "token", BackupRig.NOMAD_TOKEN).set("consul", "token", BackupRig.CONSUL_TOKEN);
            Map<String, String> env = appEnvironment(PG, S3, clis, pgBin, backups, "cluster-backups");
            try (AppProcess app = AppProcess.start(env).awaitReady(Duration.ofSeconds(90))) {
                JsonNode job = JSON.readTree(app.api("GET", "/api/jobs/backup-daily", null, null).body());
                assertEquals("backup", job.path("type").asText(), job.toString());
                assertEquals("0 0 1 * * ?", job.path("cron").asText(), job.toString());
                assertEquals(JSON.readTree("{\"local_days\":7,\"s3_days\":30,\"dump_concurrency\":4}"),
                        job.path("input"));

                HttpResponse<String> trigger = app.api("POST", "/api/jobs/backup-daily/runs",
                        "{\"dump_concurrency\":2}", API_TOKEN);
                assertEquals(202, trigger.statusCode(), trigger.body());
                JsonNode run = awaitFinished(app, JSON.readTree(trigger.body()).path("run_id").asLong());

                assertEquals("SUCCEEDED", run.path("state").asText(), run.toPrettyString());
                JsonNode r = run.path("result");
                String ts = r.path("timestamp").asText();
                assertEquals("backups/nomad/nomad-" + ts + ".snap", r.path("nomad_snapshot_s3_key").asText());
                assertEquals("backups/consul/consul-" + ts + ".snap", r.path("consul_snapshot_s3_key").asText());
                assertEquals("backups/postgres/postgres-globals-" + ts + ".sql.gz",
                        r.path("postgres_globals_s3_key").asText());
                assertEquals(List.of("postgres", "shop", "shop analytics"), r.path("postgres_databases")
                        .findValuesAsText("database"));
                String safe = BackupLayout.safeName("shop analytics");
                assertTrue(safe.matches("shop_analytics_[0-9a-f]{8}"), safe);
                assertEquals("backups/postgres/" + safe + "/postgres-" + safe + "-" + ts + ".dump",
                        r.path("postgres_databases").get(2).path("s3_key").asText());
                assertEquals("backups/manifests/manifest-" + ts + ".json", r.path("manifest_s3_key").asText());
                assertTrue(r.path("retention").has("s3_deleted"), r.toString());
                assertTrue(Files.isRegularFile(backups.resolve("postgres-backups/shop/postgres-shop-" + ts
                        + ".dump")));
                try (S3Client s3 = S3.client()) {
                    assertEquals(6, s3.listObjectsV2(l -> l.bucket("cluster-backups").prefix("backups/"))
                            .keyCount() - 1, "nomad, consul, globals, three dumps (and the manifest)");
                }
                for (JsonNode call : clis.calls()) {
                    assertTrue(call.path("token_matches").asBoolean(), call.toString());
                }
                assertTrue(pgBin.spans().stream().allMatch(s -> s.exit() == 0), pgBin.spans().toString());

                // the backup-retention job type: a dry run over the API lists, deletes nothing
                assertEquals(201, app.api("POST", "/api/jobs", "{\"id\":\"retention-preview\",\"type\":"
                        + "\"backup-retention\",\"mode\":\"one-shot\",\"input\":{\"local_days\":0,\"s3_days\":0,"
                        + "\"dry_run\":true}}", API_TOKEN).statusCode());
                HttpResponse<String> preview = app.api("POST", "/api/jobs/retention-preview/runs", null, API_TOKEN);
                JsonNode dry = awaitFinished(app, JSON.readTree(preview.body()).path("run_id").asLong());
                assertEquals("SUCCEEDED", dry.path("state").asText(), dry.toPrettyString());
                assertEquals(0, dry.path("result").path("local_would_delete").size(),
                        "one backup per series: the newest of each is kept: " + dry);
                app.stop();
            }
            String logs = Files.readString(Path.of("target", "app-logs").resolve(latestLog()));
            for (String secret : List.of(BackupRig.NOMAD_TOKEN, BackupRig.CONSUL_TOKEN, BackupRig.PG_PASSWORD,
                    S3.secretKey(), API_TOKEN)) {
                assertFalse(logs.contains(secret), "a secret in the application's log");
            }
        } finally {
            TempDirs.delete(backups);
        }
    }

    /** The environment an operator gives the application for backups (and drills) against the test rigs. */
    static Map<String, String> appEnvironment(PostgresServer pg, S3ProxyServer s3, FakeClis clis, PgWrappers pgBin,
            Path backups, String bucket) {
        Map<String, String> env = new HashMap<>();
        env.put("API_TOKEN", API_TOKEN);
        env.put("BACKUP_DIR", backups.toString());
        env.put("NOMAD_BIN", clis.nomad().toString());
        env.put("NOMAD_ADDR", "http://127.0.0.1:4646");
        env.put("NOMAD_TOKEN", BackupRig.NOMAD_TOKEN);
        env.put("CONSUL_BIN", clis.consul().toString());
        env.put("CONSUL_HTTP_ADDR", "127.0.0.1:8500");
        env.put("CONSUL_HTTP_TOKEN", BackupRig.CONSUL_TOKEN);
        env.put("PG_BIN_DIR", pgBin.dir().toString());
        env.put("PG_HOST", "127.0.0.1");
        env.put("PG_PORT", String.valueOf(pg.port()));
        env.put("PG_USER", pg.user());
        env.put("PGPASSWORD", BackupRig.PG_PASSWORD);
        env.put("S3_ENDPOINT", s3.endpoint().toString());
        env.put("S3_BUCKET", bucket);
        env.put("S3_ACCESS_KEY", s3.accessKey());
        env.put("S3_SECRET_KEY", s3.secretKey());
        return env;
    }

    static JsonNode awaitFinished(AppProcess app, long runId) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        JsonNode run = null;
        while (System.currentTimeMillis() < deadline) {
            run = JSON.readTree(app.api("GET", "/api/runs/" + runId, null, null).body());
            String state = run.path("state").asText();
            if (!state.equals("PENDING") && !state.equals("RUNNING")) {
                return run;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("run " + runId + " did not finish: " + run);
    }

    private static String latestLog() throws Exception {
        try (var logs = Files.list(Path.of("target", "app-logs"))) {
            return logs.max(java.util.Comparator.comparing(p -> p.toFile().lastModified())).orElseThrow()
                    .getFileName().toString();
        }
    }
}
