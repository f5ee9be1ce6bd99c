package io.nomadcamel.jobs.testsupport;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The application's Jolokia as a client with credentials sees it: JSON requests POSTed to /observe/jolokia with basic
 * authentication, answers parsed. Jolokia answers HTTP 200 with the request's own {@code status} inside the body, so
 * callers look at {@code status} (200, 403 when the access policy refuses, 404 for a missing MBean...).
 */
public final class JolokiaClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final String authorization;

    public JolokiaClient(String url, String user, String password) {
        this.url = URI.create(url);
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The application's Jolokia on its management port. */
    public static JolokiaClient of(AppProcess app, String user, String password) {
        return new JolokiaClient(app.managementUrl("/observe/jolokia"), user, password);
    }

    /**
     * Sends one request (a Map or JSON node with the fields of Jolokia's protocol, or a list of them for a bulk
     * request) and returns Jolokia's answer, whatever its status.
     */
    public JsonNode request(Object request) {
        String body;
        try {
            body = JSON.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        var response = AppProcess.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        if (response.statusCode() != 200) {
            throw new AssertionError("Jolokia answered HTTP " + response.statusCode() + " to " + body + ": "
                    + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new AssertionError("Jolokia's answer is not JSON: " + response.body(), e);
        }
    }

    /** The attribute's value; fails with Jolokia's error when the read is refused. */
    public JsonNode read(String mbean, String attribute) {
        JsonNode answer = request(Map.of("type", "read", "mbean", mbean, "attribute", attribute));
        if (answer.path("status").asInt() != 200) {
            throw new AssertionError("reading " + attribute + " of " + mbean + " answered " + answer);
        }
        return answer.path("value");
    }

    /** The names of the MBeans matching the pattern (a JSON array), e.g. {@code org.apache.camel:type=endpoints,*}. */
    public JsonNode search(String pattern) {
        JsonNode answer = request(Map.of("type", "search", "mbean", pattern));
        if (answer.path("status").asInt() != 200) {
            throw new AssertionError("searching " + pattern + " answered " + answer);
        }
        return answer.path("value");
    }

    /** Jolokia's answer to an operation, {@code operation} exactly as a client sends it (e.g. {@code stop()}). */
    public JsonNode exec(String mbean, String operation, Object... arguments) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("type", "exec");
        request.put("mbean", mbean);
        request.put("operation", operation);
        request.put("arguments", List.of(arguments));
        return request(request);
    }
}
