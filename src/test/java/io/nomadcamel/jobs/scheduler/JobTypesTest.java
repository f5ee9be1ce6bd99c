package io.nomadcamel.jobs.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import io.nomadcamel.jobs.testsupport.AppProcess;
import org.junit.jupiter.api.Test;

/** A job type is a route file's own route; a job's sub-routes are not types. */
class JobTypesTest {

    @Test
    void subRoutesAreNotJobTypes() {
        try (AppProcess app = AppProcess.start(Map.of("API_TOKEN", "t")).awaitReady(Duration.ofSeconds(60))) {
            HttpResponse<String> sub = app.api("POST", "/api/jobs",
                    "{\"id\":\"per-node\",\"type\":\"node-cleanup-node\",\"mode\":\"one-shot\"}", "t");
            assertEquals(400, sub.statusCode(), sub.body());
            assertTrue(sub.body().contains("is not a job type") && sub.body().contains("node-cleanup,"), sub.body());
            for (String type : new String[] {"node-cleanup", "registry-gc", "trivy-scan"}) {
                HttpResponse<String> ok = app.api("POST", "/api/jobs",
                        "{\"id\":\"x-" + type + "\",\"type\":\"" + type + "\",\"mode\":\"one-shot\"}", "t");
                assertEquals(201, ok.statusCode(), ok.body());
            }
        }
    }
}
