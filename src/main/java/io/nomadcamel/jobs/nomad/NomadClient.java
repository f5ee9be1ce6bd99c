package io.nomadcamel.jobs.nomad;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.trace.Tracing;

/**
 * The central Nomad HTTP API, shared by the jobs: the token goes in {@code X-Nomad-Token} (never to nodes, never in
 * a log), {@code NOMAD_CACERT} adds the cluster's CA for https. Connection errors and 5xx answers are retried 3 times
 * with backoff (1 s doubling, at most 1 min); a 4xx answer is final ({@link NomadException#notFound()} for 404).
 */
public final class NomadClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RETRIES = 3;

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration backoff;
    private final Duration requestTimeout;

    public NomadClient(URI base, String token, HttpClient http, Duration backoff, Duration requestTimeout) {
        this.base = base;
        this.token = token;
        this.http = http;
        this.backoff = backoff;
        this.requestTimeout = requestTimeout;
    }

    /** From {@code nomad.addr|token|cacert} (NOMAD_ADDR, NOMAD_TOKEN, NOMAD_CACERT) and {@code nomad.retry-backoff}. */
    public static NomadClient from(Settings settings) {
        String addr = settings.string("nomad.addr", "http://127.0.0.1:4646");
        URI base;
        try {
            base = URI.create(addr.endsWith("/") ? addr.substring(0, addr.length() - 1) : addr);
            if (base.getScheme() == null || base.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
        } catch (IllegalArgumentException e) {
            throw new Settings.InvalidSettingException("Setting nomad.addr (environment variable NOMAD_ADDR) must be a "
                    + "URL such as http://127.0.0.1:4646, got '" + addr + "'");
        }
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        settings.optional("nomad.cacert").ifPresent(path -> http.sslContext(sslContext(Path.of(path))));
        return new NomadClient(base, settings.string("nomad.token", null), http.build(),
                settings.duration("nomad.retry-backoff", Duration.ofSeconds(1)), Duration.ofSeconds(60));
    }

    public URI base() {
        return base;
    }

    public JsonNode get(String path) {
        return send("GET", path, null);
    }

    public JsonNode post(String path, Object body) {
        return send("POST", path, body);
    }

    /** A path segment (job id, node id) as Nomad expects it in a URL. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, Object body) {
        return Tracing.client("nomad", "nomad " + method + " " + path.replaceAll("\\?.*", ""),
                java.util.Map.of("http.request.method", method, "server.address", String.valueOf(base.getHost())),
                () -> sendWithRetries(method, path, body));
    }

    private JsonNode sendWithRetries(String method, String path, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout)
                .header("Accept", "application/json");
        if (token != null && !token.isBlank()) {
            request.header("X-Nomad-Token", token);
        }
        try {
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
        NomadException last = null;
        for (int attempt = 0; attempt <= RETRIES; attempt++) {
            if (attempt > 0) {
                sleep(backoffFor(attempt));
            }
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
                }
                last = new NomadException(method, path, status, response.body().strip());
                if (status < 500) {
                    throw last;
                }
            } catch (IOException e) {
                last = new NomadException(method, path, -1, e.getClass().getSimpleName() + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NomadException(method, path, -1, "interrupted");
            }
        }
        throw last;
    }

    private Duration backoffFor(int attempt) {
        Duration d = backoff.multipliedBy(1L << (attempt - 1));
        return d.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : d;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NomadException("", "", -1, "interrupted while waiting to retry");
        }
    }

    private static SSLContext sslContext(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("nomad-ca-" + n++, cert);
            }
            if (n == 0) {
                throw new IllegalArgumentException("no certificate in it");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new Settings.InvalidSettingException("Setting nomad.cacert (environment variable NOMAD_CACERT): "
                    + caFile + " is not a readable PEM certificate file: " + e.getMessage());
        }
    }
}
