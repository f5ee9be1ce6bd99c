package io.nomadcamel.jobs.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.web.VersionRoutes;
import org.junit.jupiter.api.Test;

/** The application started as the README's run command starts it, on its embedded defaults. */
class ApplicationStartupTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Secrets an operator passes in the environment; none may show up in any log line. */
    private static final Map<String, String> SECRETS = Map.of(
            "DB_PASSWORD", "db-secret-7f3a91",
            "API_TOKEN", "api-secret-55c2e0",
            "NOMAD_TOKEN", "nomad-secret-0be41d",
            "CONSUL_HTTP_TOKEN", "consul-secret-9a7710",
            "S3_ACCESS_KEY", "s3-access-2d8c4b",
            "S3_SECRET_KEY", "s3-secret-e61f03",
            "PGPASSWORD", "pg-secret-4471aa");

    @Test
    void startsOnEmbeddedDefaultsAndServesVersionHealthAndMetrics() throws Exception {
        try (AppProcess app = AppProcess.start(SECRETS)) {
            app.awaitReady(Duration.ofSeconds(60));

            HttpResponse<String> version = AppProcess.get(app.url("/api/version"));
            assertEquals(200, version.statusCode());
            assertEquals("application/json", version.headers().firstValue("Content-Type").orElse(""));
            JsonNode v = JSON.readTree(version.body());
            assertEquals(VersionRoutes.version(), v.path("version").asText());
            assertFalse(v.path("version").asText().isBlank());

            for (String path : new String[] {"/observe/health/live", "/observe/health/ready"}) {
                HttpResponse<String> health = AppProcess.get(app.managementUrl(path));
                assertEquals(200, health.statusCode(), path);
                assertEquals("UP", JSON.readTree(health.body()).path("status").asText(), path);
            }
            // the shipped jobs lack their settings here: the jobs check says so, the instance keeps serving
            HttpResponse<String> health = AppProcess.get(app.managementUrl("/observe/health"));
            assertEquals("DOWN", JSON.readTree(health.body()).path("status").asText(), health.body());
            assertTrue(health.body().contains("\"name\":\"jobs\"") && health.body().contains("backup-daily"),
                    health.body());

            HttpResponse<String> metrics = AppProcess.get(app.managementUrl("/observe/metrics"));
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("# TYPE "), "Prometheus text format");
            assertTrue(metrics.body().contains("camel_context=\"nomad-camel-jobs\""), metrics.body());

            assertEquals(404, AppProcess.get(app.url("/api/no-such-thing")).statusCode());
            assertEquals(405, AppProcess.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(app.url("/api/version")))
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build()).statusCode());

            app.stop();
            assertFlywayHistoryIn(app.dataDir(), SECRETS.get("DB_PASSWORD"));
            assertLogsAreJsonWithoutSecrets(app.output());
        }
    }

    private static void assertFlywayHistoryIn(Path dataDir, String password) throws Exception {
        Path file = dataDir.resolve("nomad-camel-jobs.mv.db");
        assertTrue(Files.exists(file), "H2 database file under the data dir");
        String url = "jdbc:h2:file:" + dataDir.resolve("nomad-camel-jobs") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        try (Connection c = DriverManager.getConnection(url, "sa", password); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM \"flyway_schema_history\" WHERE \"success\" AND \"version\" = '1'")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1), "migration V1 recorded as applied");
        }
    }

    private static void assertLogsAreJsonWithoutSecrets(String output) throws Exception {
        String[] lines = output.strip().split("\n");
        assertTrue(lines.length > 5, "the application logged its start-up:\n" + output);
        for (String line : lines) {
            JsonNode event = JSON.readTree(line);
            assertEquals("nomad-camel-jobs", event.path("service").asText(), line);
            assertFalse(event.path("message").isMissingNode(), line);
        }
        for (Map.Entry<String, String> secret : SECRETS.entrySet()) {
            assertFalse(output.contains(secret.getValue()), secret.getKey() + " appeared in the logs");
        }
        assertTrue(output.contains("Apache Camel"), "Camel's own start-up lines are in the log");
    }
}
