package io.nomadcamel.jobs.trivy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.AppProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On the embedded H2 default, with no TRIVY_SERVER_ADDR: the application starts (the default job trivy-daily
 * validates), a trivy-scan run fails naming the variable, bad input fails naming the field, the rest keeps working.
 */
class TrivyScanSettingsTest {

    private static final String TOKEN = "settings-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ScanJobApp app;

    @BeforeAll
    static void start() {
        // no database: the embedded H2 (the tables are read through the API only)
        app = new ScanJobApp(AppProcess.start(Map.of("API_TOKEN", TOKEN, "NOMAD_ADDR", "http://127.0.0.1:9"),
                "jobs.scan.type=trivy-scan\n").awaitReady(Duration.ofSeconds(60)), null, null, "scan", TOKEN);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void theDefaultJobIsTheDailyScanAtThree() throws Exception {
        JsonNode job = get("/api/jobs/trivy-daily");
        assertEquals("trivy-scan", job.path("type").asText());
        assertEquals("recurring", job.path("mode").asText());
        assertEquals("0 0 3 * * ?", job.path("cron").asText());
        assertEquals(10, job.path("input").path("concurrency").asInt());
    }

    @Test
    void aMissingServerAddressFailsTheRunNamingTheVariable() throws Exception {
        JsonNode run = run(null);
        assertEquals("FAILED", run.path("state").asText(), run.toString());
        assertEquals("Missing setting trivy.server-addr (environment variable TRIVY_SERVER_ADDR)",
                run.path("error").asText());
        assertEquals(200, AppProcess.get(app.app.url("/api/jobs")).statusCode(), "the rest keeps working");
        assertEquals(200, AppProcess.get(app.app.managementUrl("/observe/health/ready")).statusCode());
    }

    @Test
    void badInputFailsTheRunNamingTheField() throws Exception {
        assertTrue(run("{\"concurrency\":0}").path("error").asText()
                .startsWith("input field concurrency must be a whole number from 1 to 32"));
        assertTrue(run("{\"concurrency\":\"ten\"}").path("error").asText().contains("concurrency"));
        assertEquals("unknown input field(s) [concurency]: trivy-scan takes [concurrency]",
                run("{\"concurency\":3}").path("error").asText());
    }

    @Test
    void theScansApiAnswersOnH2() throws Exception {
        assertEquals(0, get("/api/scans").size());
        HttpResponse<String> missing = AppProcess.get(app.app.url("/api/scans/ghcr.io/org/none:1"));
        assertEquals(404, missing.statusCode());
        assertEquals("no scan of image 'ghcr.io/org/none:1'", JSON.readTree(missing.body()).path("error").asText());
    }

    private static JsonNode run(String input) throws Exception {
        return app.awaitEnd(app.trigger(input));
    }

    private static JsonNode get(String path) throws Exception {
        return app.get(path);
    }
}
