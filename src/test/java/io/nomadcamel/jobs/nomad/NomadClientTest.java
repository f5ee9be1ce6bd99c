package io.nomadcamel.jobs.nomad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.FakeNomad;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NomadClientTest {

    @RegisterExtension
    static final FakeNomad NOMAD = new FakeNomad();

    private NomadClient client(String token) {
        return new NomadClient(URI.create(NOMAD.url()), token, HttpClient.newHttpClient(), Duration.ofMillis(20),
                Duration.ofSeconds(5));
    }

    @BeforeEach
    void reset() {
        NOMAD.reset();
        NOMAD.addNode("node-1", "127.0.0.1");
    }

    @Test
    void sendsTheTokenAsHeaderAndParsesJson() {
        NOMAD.requireToken("s3cr3t");
        JsonNode nodes = client("s3cr3t").get("/v1/nodes");
        assertEquals("node-1", nodes.get(0).path("Name").asText());
        assertEquals("s3cr3t", NOMAD.requests("GET", "/v1/nodes").get(0).nomadToken());
        NomadException refused = assertThrows(NomadException.class, () -> client("wrong").get("/v1/nodes"));
        assertEquals(403, refused.status());
        assertFalse(refused.getMessage().contains("wrong"), "the token never shows in a message");
    }

    @Test
    void retriesServerErrorsThenSucceeds() {
        NOMAD.failNext("GET", "/v1/nodes", 2, 500, "no leader");
        assertEquals(1, client(null).get("/v1/nodes").size());
        assertEquals(3, NOMAD.requests("GET", "/v1/nodes").size(), "two failures, then the answer");
    }

    @Test
    void givesUpAfterThreeRetriesWithTheLastError() {
        NOMAD.failNext("GET", "/v1/nodes", 10, 503, "rpc error: no cluster leader");
        NomadException e = assertThrows(NomadException.class, () -> client(null).get("/v1/nodes"));
        assertEquals(503, e.status());
        assertTrue(e.getMessage().contains("no cluster leader"), e.getMessage());
        assertEquals(4, NOMAD.requests("GET", "/v1/nodes").size(), "one call and three retries");
    }

    @Test
    void notFoundIsFinal() {
        NomadException e = assertThrows(NomadException.class, () -> client(null).get("/v1/job/missing"));
        assertTrue(e.notFound());
        assertTrue(e.getMessage().contains("job not found"), e.getMessage());
        assertEquals(1, NOMAD.requests("GET", "/v1/job/missing").size(), "a 404 is not retried");
    }

    @Test
    void segmentsAreEncoded() {
        assertEquals("a%2Fb%20c", NomadClient.segment("a/b c"));
    }
}
