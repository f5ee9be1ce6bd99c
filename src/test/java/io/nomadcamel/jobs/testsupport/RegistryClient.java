package io.nomadcamel.jobs.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Pushes and inspects images over the registry's plain HTTP API (no docker daemon here): blobs by POST + PUT upload,
 * then a schema2 manifest that references them, as {@code docker push} does.
 */
public final class RegistryClient {

    public static final String MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String CONFIG_V1 = "application/vnd.docker.container.image.v1+json";
    private static final String LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public RegistryClient(URI base) {
        this.base = base;
    }

    /** An image as pushed: the manifest's digest and the blobs it references. */
    public record PushedImage(String repository, String tag, String manifestDigest, byte[] manifest,
            String configDigest, List<String> layerDigests) {

        /** Config and layers, the blobs a GC must keep while the image is tagged. */
        public List<String> blobDigests() {
            List<String> all = new ArrayList<>(List.of(configDigest));
            all.addAll(layerDigests);
            return all;
        }
    }

    public record Manifest(int status, String digest, String contentType, byte[] body) {
    }

    /** Status of {@code GET /v2/}: 200 when the registry serves the v2 API. */
    public int ping() {
        return send(request("/v2/").GET(), BodyHandlers.discarding()).statusCode();
    }

    /** Random layers of the given sizes: every call makes a distinct image. */
    public static byte[] randomLayer(int size) {
        byte[] layer = new byte[size];
        RANDOM.nextBytes(layer);
        return layer;
    }

    /** Pushes an image made of a fresh config and the given layers (shared layers are fine) under repo:tag. */
    public PushedImage pushImage(String repository, String tag, byte[]... layers) {
        // a unique config, so two pushes never collapse into one manifest
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"test.id\":\""
                + UUID.randomUUID() + "\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}")
                .getBytes(StandardCharsets.UTF_8);
        String configDigest = uploadBlob(repository, config);
        List<String> layerDigests = new ArrayList<>();
        StringBuilder layerJson = new StringBuilder();
        for (byte[] layer : layers) {
            String digest = uploadBlob(repository, layer);
            layerDigests.add(digest);
            layerJson.append(layerJson.length() == 0 ? "" : ",").append(descriptor(LAYER, layer.length, digest));
        }
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_V2 + "\",\"config\":"
                + descriptor(CONFIG_V1, config.length, configDigest) + ",\"layers\":[" + layerJson + "]}")
                .getBytes(StandardCharsets.UTF_8);
        String manifestDigest = putManifest(repository, tag, manifest);
        return new PushedImage(repository, tag, manifestDigest, manifest, configDigest, List.copyOf(layerDigests));
    }

    private static String descriptor(String mediaType, long size, String digest) {
        return "{\"mediaType\":\"" + mediaType + "\",\"size\":" + size + ",\"digest\":\"" + digest + "\"}";
    }

    /** Uploads a blob (POST to open an upload, PUT with its digest to finish it) and returns the digest. */
    public String uploadBlob(String repository, byte[] content) {
        HttpResponse<Void> opened = send(request("/v2/" + repository + "/blobs/uploads/")
                .POST(BodyPublishers.noBody()), BodyHandlers.discarding());
        expect(202, opened, "open blob upload in " + repository);
        String location = opened.headers().firstValue("Location")
                .orElseThrow(() -> new IllegalStateException("blob upload answered without Location"));
        String digest = sha256(content);
        // the Location may be relative and already carries a query (_state)
        URI target = base.resolve(location);
        String separator = target.getRawQuery() == null ? "?" : "&";
        HttpResponse<String> finished = send(HttpRequest.newBuilder(URI.create(target + separator + "digest=" + digest))
                .header("Content-Type", "application/octet-stream").PUT(BodyPublishers.ofByteArray(content)),
                BodyHandlers.ofString());
        expect(201, finished, "finish blob upload " + digest);
        return digest;
    }

    /** Puts a manifest under a tag (or digest) and returns the digest the registry computed. */
    public String putManifest(String repository, String reference, byte[] manifest) {
        HttpResponse<String> response = send(request("/v2/" + repository + "/manifests/" + reference)
                .header("Content-Type", MANIFEST_V2).PUT(BodyPublishers.ofByteArray(manifest)), BodyHandlers.ofString());
        expect(201, response, "put manifest " + repository + ":" + reference);
        return response.headers().firstValue("Docker-Content-Digest").orElse(sha256(manifest));
    }

    public Manifest getManifest(String repository, String reference) {
        HttpResponse<byte[]> response = send(request("/v2/" + repository + "/manifests/" + reference)
                .header("Accept", MANIFEST_V2).GET(), BodyHandlers.ofByteArray());
        return new Manifest(response.statusCode(), response.headers().firstValue("Docker-Content-Digest").orElse(null),
                response.headers().firstValue("Content-Type").orElse(null), response.body());
    }

    /** Deletes (untags) a manifest by digest; 202 when deleted. Its blobs stay until garbage-collect. */
    public int deleteManifest(String repository, String digest) {
        return send(request("/v2/" + repository + "/manifests/" + digest).DELETE(), BodyHandlers.discarding())
                .statusCode();
    }

    /** Status of {@code HEAD /v2/<repo>/blobs/<digest>}: 200 when the registry serves the blob, 404 when not. */
    public int headBlob(String repository, String digest) {
        return send(request("/v2/" + repository + "/blobs/" + digest).method("HEAD", BodyPublishers.noBody()),
                BodyHandlers.discarding()).statusCode();
    }

    public static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request.build(), handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void expect(int status, HttpResponse<?> response, String what) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(what + ": expected HTTP " + status + ", got " + response.statusCode()
                    + " " + response.body());
        }
    }
}
