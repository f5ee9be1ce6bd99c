package io.nomadcamel.jobs.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.AppProcess;
import org.junit.jupiter.api.Test;

/** Hawtio's Jolokia: off without credentials, behind basic auth with them, and read-mostly by its restrictor. */
class JolokiaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "jolokia-pw-6a1f";

    @Test
    void offUnlessBothCredentialsAreSet() {
        try (AppProcess app = AppProcess.start(Map.of()).awaitReady(Duration.ofSeconds(60))) {
            assertEquals(404, AppProcess.get(app.managementUrl("/observe/jolokia/version")).statusCode());
        }
        try (AppProcess app = AppProcess.start(Map.of("JOLOKIA_USER", "ops"))) {
            assertNotEquals(0, app.awaitExit(Duration.ofSeconds(60)));
            assertTrue(app.output().contains("Jolokia needs both JOLOKIA_USER and JOLOKIA_PASSWORD"), app.output());
        }
    }

    @Test
    void answers401WithoutCredentialsAndListsCamelRoutesWithThem() throws Exception {
        try (AppProcess app = AppProcess.start(Map.of("JOLOKIA_USER", "ops", "JOLOKIA_PASSWORD", PASSWORD))
                .awaitReady(Duration.ofSeconds(60))) {
            String search = app.managementUrl("/observe/jolokia/search/org.apache.camel:type=routes,*");
            assertEquals(401, AppProcess.get(search).statusCode());
            assertEquals(401, get(search, "ops", "wrong").statusCode());

            HttpResponse<String> routes = get(search, "ops", PASSWORD);
            assertEquals(200, routes.statusCode());
            JsonNode names = JSON.readTree(routes.body()).path("value");
            assertTrue(names.toString().contains("name=\\\"api-version\\\""), routes.body());

            HttpResponse<String> write = get(app.managementUrl("/observe/jolokia/write/java.lang:type=Memory/Verbose/true"),
                    "ops", PASSWORD);
            assertEquals(403, JSON.readTree(write.body()).path("status").asInt(), "no attribute may be written: "
                    + write.body());

            assertEquals(200, AppProcess.get(app.managementUrl("/observe/health/live")).statusCode(),
                    "health stays open for the orchestrator");
            app.stop();
            assertFalse(app.output().contains(PASSWORD), "the password is never logged");
        }
    }

    @Test
    void managementHostBindsTheManagementServerToOneAddress() throws InterruptedException {
        try (AppProcess app = AppProcess.start(Map.of("MANAGEMENT_HOST", "127.0.0.2"))) {
            String onTheHost = app.managementUrl("/observe/health/ready").replace("127.0.0.1", "127.0.0.2");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            HttpResponse<String> ready = null;
            while ((ready == null || ready.statusCode() != 200) && System.nanoTime() < deadline
                    && app.process().alive()) {
                try {
                    ready = AppProcess.get(onTheHost);
                } catch (java.io.UncheckedIOException notYet) {
                    ready = null;
                }
                Thread.sleep(200);
            }
            assertTrue(ready != null && ready.statusCode() == 200, "ready on 127.0.0.2: " + app.output());
            assertThrows(java.io.UncheckedIOException.class,
                    () -> AppProcess.get(app.managementUrl("/observe/health")), "nothing listens on 127.0.0.1");
            assertEquals(200, AppProcess.get(app.url("/api/version")).statusCode(), "the API keeps its own address");
        }
    }

    private static HttpResponse<String> get(String url, String user, String password) {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return AppProcess.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Basic " + basic)
                .timeout(Duration.ofSeconds(10)).GET().build());
    }
}
