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
 * validates), a trivy-scan run fails naming the variable, bad input is a 400 naming the field, the rest keeps working.
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
    void badInputIsRefusedAtTheDoorNamingTheFieldWithNoRun() throws Exception {
        int runsBefore = get("/api/runs?job=scan").size();
        assertBadInput("{\"concurrency\":0}", "concurrency", "trivy-scan input: concurrency must be a whole number from 1 to 32");
        assertBadInput("{\"concurrency\":33}", "concurrency", "from 1 to 32, got 33");
        assertBadInput("{\"concurrency\":\"ten\"}", "concurrency", "concurrency");
        assertBadInput("{\"concurency\":3}", "concurency", "trivy-scan input: concurency is not a field (fields: concurrency)");
        assertEquals(runsBefore, get("/api/runs?job=scan").size());
    }

    private static void assertBadInput(String input, String field, String message) throws Exception {
        HttpResponse<String> r = app.app.api("POST", "/api/jobs/scan/runs", input, TOKEN);
        assertEquals(400, r.statusCode(), r.body());
        JsonNode answer = JSON.readTree(r.body());
        assertEquals(field, answer.path("field").asText(), r.body());
        assertTrue(answer.path("error").asText().contains(message), r.body());
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
