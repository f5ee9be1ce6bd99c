package io.nomadcamel.jobs.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.StreamSupport;

/** Calls a FakeNomad the way a client would (java.net.http) and compares answers with the Nomad samples. */
final class FakeNomadHttp {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    private FakeNomadHttp() {
    }


    static HttpResponse<String> call(FakeNomad server, String method, String path, String body,
            Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode body(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertPlainText(int status, String text, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(text, response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    }

    static List<String> ids(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.get("ID").asText()).toList();
    }

    static JsonNode find(JsonNode array, String id) {
        return StreamSupport.stream(array.spliterator(), false).filter(n -> n.get("ID").asText().equals(id))
                .findFirst().orElseThrow(() -> new AssertionError("no " + id + " in " + array));
    }

    /** Every field the fake writes must be named as in a real sample, or be a listed field of newer Nomads. */
    static void assertKeysFromSamples(JsonNode object, Set<String> sampleKeys, Set<String> newerFields) {
        Set<String> unknown = new TreeSet<>(keys(object));
        unknown.removeAll(sampleKeys);
        unknown.removeAll(newerFields);
        assertTrue(unknown.isEmpty(), "fields the Nomad samples do not have: " + unknown);
    }

    static Set<String> keys(JsonNode object) {
        Set<String> keys = new TreeSet<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /** Top-level keys of a sample (of its first element when it is a list). */
    static Set<String> fixtureKeys(String file) {
        JsonNode sample = fixture(file);
        return keys(sample.isArray() ? sample.get(0) : sample);
    }

    static JsonNode fixture(String file) {
        try (InputStream in = FakeNomadHttp.class.getResourceAsStream("/fixtures/nomad/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource fixtures/nomad/" + file);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SafeVarargs
    static Set<String> union(Set<String>... sets) {
        Set<String> all = new HashSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return all;
    }
}
