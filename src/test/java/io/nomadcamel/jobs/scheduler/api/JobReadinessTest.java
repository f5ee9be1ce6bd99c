package io.nomadcamel.jobs.scheduler.api;

import static io.nomadcamel.jobs.scheduler.api.ApiClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.Test;

/**
 * A misconfigured job shows before its slot: on a fresh start without PG_HOST, backup-daily is {@code ready: false}
 * with PG_HOST among its problems over the API, in the {@code jobs} health check (DOWN while liveness and readiness
 * stay UP) and in {@code ncj_job_ready}; with the settings given it is ready. No problem text shows a setting's value.
 * Also {@code GET /api/job-types}.
 */
class JobReadinessTest {

    private static final String SECRET = "s3-secret-6d1e9a";

    @Test
    void withoutPgHostBackupDailyIsNotReadyEverywhereAnOperatorLooks() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("PG_HOST", "", "S3_SECRET_KEY", SECRET, "PGPASSWORD", SECRET));
        try (AppProcess app = AppProcess.start(env).awaitReady(Duration.ofSeconds(60))) {
            JsonNode job = expect(200, app.api("GET", "/api/jobs/backup-daily", null, null));
            assertFalse(job.path("ready").asBoolean(), job.toString());
            assertTrue(problems(job).contains("PG_HOST is not set"), job.toString());
            JsonNode listed = find(expect(200, app.api("GET", "/api/jobs", null, null)), "backup-daily");
            assertEquals(job.path("problems"), listed.path("problems"));

            HttpResponse<String> health = AppProcess.get(app.managementUrl("/observe/health"));
            assertEquals(503, health.statusCode(), health.body());
            JsonNode jobsCheck = check(ApiClient.json(health), "jobs");
            assertEquals("DOWN", jobsCheck.path("status").asText(), health.body());
            assertTrue(jobsCheck.path("message").asText().contains("backup-daily not ready: PG_HOST is not set"),
                    health.body());
            for (String path : List.of("/observe/health/live", "/observe/health/ready")) {
                HttpResponse<String> r = AppProcess.get(app.managementUrl(path));
                assertEquals(200, r.statusCode(), path + " " + r.body());
                assertEquals("UP", ApiClient.json(r).path("status").asText(), path);
            }
            assertTrue(metrics(app).contains("ncj_job_ready{job=\"backup-daily\",type=\"backup\"} 0.0"));
            assertFalse(health.body().contains(SECRET) || job.toString().contains(SECRET), "no value is shown");
        }
    }

    @Test
    void withItsSettingsGivenBackupDailyIsReady() throws Exception {
        Path backups = TempDirs.create("readiness-backups");
        Path fakeBin = Path.of("src/test/resources/fake-bin").toAbsolutePath();
        Map<String, String> env = new HashMap<>();
        env.put("PG_HOST", "127.0.0.1");
        env.put("PG_USER", "backup");
        env.put("BACKUP_DIR", backups.resolve("not-yet-created").toString());
        env.put("NOMAD_BIN", fakeBin.resolve("nomad").toString());
        env.put("CONSUL_BIN", fakeBin.resolve("consul").toString());
        env.put("S3_ENDPOINT", "http://127.0.0.1:9");
        env.put("S3_BUCKET", "backups");
        env.put("S3_ACCESS_KEY", "access");
        env.put("S3_SECRET_KEY", SECRET);
        env.put("PG_BIN_DIR", Path.of(io.nomadcamel.jobs.testsupport.Programs.require("pg_dump", "postgresql")
                .toString()).getParent().toString());
        try (AppProcess app = AppProcess.start(env).awaitReady(Duration.ofSeconds(60))) {
            JsonNode job = expect(200, app.api("GET", "/api/jobs/backup-daily", null, null));
            assertTrue(job.path("ready").asBoolean(), job.toString());
            assertEquals(0, job.path("problems").size(), job.toString());
            String health = AppProcess.get(app.managementUrl("/observe/health")).body();
            assertFalse(health.contains("backup-daily"), "only the jobs still missing settings are named: " + health);
            assertTrue(health.contains("cleanup-daily not ready: NOMAD_ADDR is not set"), health);
            assertTrue(metrics(app).contains("ncj_job_ready{job=\"backup-daily\",type=\"backup\"} 1.0"));

            JsonNode types = expect(200, app.api("GET", "/api/job-types", null, null));
            assertEquals(List.of("aptly-cleanup", "backup", "backup-retention", "node-cleanup", "postgres-maintenance",
                    "registry-gc", "restore-drill", "trivy-scan"),
                    java.util.stream.StreamSupport.stream(types.spliterator(), false).map(t -> t.path("type").asText())
                            .filter(t -> !t.startsWith("test-")).toList(), "the route types, test types aside");
            JsonNode cleanup = find(types, "node-cleanup", "type").path("input_schema");
            assertEquals(false, cleanup.path("additionalProperties").asBoolean(true));
            assertEquals(7, cleanup.path("properties").path("grace_days").path("default").asInt());
            assertEquals(0, cleanup.path("properties").path("grace_days").path("minimum").asInt());
            assertEquals("/opt/nomad/data", cleanup.path("properties").path("data_dir").path("default").asText());
            assertTrue(cleanup.path("properties").path("dry_run").path("default").asBoolean());
            assertFalse(find(types, "backup", "type").path("description").asText().isBlank());
        } finally {
            TempDirs.delete(backups);
        }
    }

    private static List<String> problems(JsonNode job) {
        return texts(job.path("problems"));
    }

    private static List<String> texts(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static JsonNode find(JsonNode list, String id) {
        return find(list, id, "id");
    }

    private static JsonNode find(JsonNode list, String value, String field) {
        for (JsonNode n : list) {
            if (value.equals(n.path(field).asText())) {
                return n;
            }
        }
        throw new AssertionError(field + " " + value + " not in " + list);
    }

    private static JsonNode check(JsonNode health, String name) {
        return find(health.path("checks"), name, "name");
    }

    private static String metrics(AppProcess app) {
        return AppProcess.get(app.managementUrl("/observe/metrics")).body();
    }
}
