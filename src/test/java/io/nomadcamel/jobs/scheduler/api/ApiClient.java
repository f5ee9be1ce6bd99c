package io.nomadcamel.jobs.scheduler.api;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.PostgresServer;

/** The calls the API tests make, with the token of the instance they run against and JSON parsing of answers. */
final class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final AppProcess app;
    private final String token;

    ApiClient(AppProcess app, String token) {
        this.app = app;
        this.token = token;
    }

    HttpResponse<String> get(String path) {
        return app.api("GET", path, null, null);
    }

    HttpResponse<String> post(String path, String body) {
        return app.api("POST", path, body, token);
    }

    HttpResponse<String> delete(String path) {
        return app.api("DELETE", path, null, token);
    }

    /** A POST whose body is raw bytes (invalid UTF-8 cannot be carried by a String). */
    HttpResponse<String> postBytes(String path, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.url(path))).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return AppProcess.send(b.build());
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON (" + response.statusCode() + "): " + response.body(), e);
        }
    }

    /** The body of an answer that must have the given status; the failure shows what came instead. */
    static JsonNode expect(int status, HttpResponse<String> response) {
        if (response.statusCode() != status) {
            fail("expected " + status + " from " + response.request().method() + " " + response.request().uri()
                    + " but got " + response.statusCode() + ": " + response.body());
        }
        return response.body().isEmpty() ? null : json(response);
    }

    /** Polls GET /api/runs/{id} until the run satisfies {@code done}; fails with the last state seen. */
    JsonNode awaitRun(long runId, Predicate<JsonNode> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode run = null;
        while (System.nanoTime() < deadline) {
            run = expect(200, get("/api/runs/" + runId));
            if (done.test(run)) {
                return run;
            }
            sleep(25);
        }
        throw new AssertionError("run " + runId + " did not reach the expected state within " + timeout + ": " + run);
    }

    static Predicate<JsonNode> inState(String state) {
        return run -> state.equals(run.path("state").asText());
    }

    static Predicate<JsonNode> finished() {
        return run -> !run.path("finished_at").isNull() && !run.path("finished_at").isMissingNode();
    }

    /** Rows of the runs table: the API could hide a run, the database cannot. */
    static long countRows(PostgresServer pg, String database, String table) throws Exception {
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
