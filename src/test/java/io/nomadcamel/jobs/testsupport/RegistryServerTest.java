package io.nomadcamel.jobs.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.nomadcamel.jobs.testsupport.RegistryClient.Manifest;
import io.nomadcamel.jobs.testsupport.RegistryClient.PushedImage;

class RegistryServerTest {

    @RegisterExtension
    static final RegistryServer REGISTRY = new RegistryServer();

    @Test
    void servesTheV2Api() throws Exception {
        var response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(REGISTRY.url() + "/v2/")).GET().build(), BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("registry/2.0", response.headers().firstValue("Docker-Distribution-API-Version").orElse(null));
        assertEquals(200, REGISTRY.client().ping());
    }

    @Test
    void pushedImageServesByTagAndDeletingItsManifestUntagsIt() {
        RegistryClient client = REGISTRY.client();
        PushedImage image = client.pushImage("team/web", "1.0", RegistryClient.randomLayer(2048),
                RegistryClient.randomLayer(512));

        Manifest byTag = client.getManifest("team/web", "1.0");
        assertEquals(200, byTag.status());
        assertEquals(image.manifestDigest(), byTag.digest());
        assertEquals(RegistryClient.sha256(image.manifest()), image.manifestDigest());
        assertEquals(RegistryClient.MANIFEST_V2, byTag.contentType());
        assertArrayEquals(image.manifest(), byTag.body());
        for (String blob : image.blobDigests()) {
            assertEquals(200, client.headBlob("team/web", blob), blob);
        }
        assertEquals(404, client.headBlob("team/web", RegistryClient.sha256("never pushed".getBytes())));

        assertEquals(202, client.deleteManifest("team/web", image.manifestDigest()));
        assertEquals(404, client.getManifest("team/web", "1.0").status());
        assertEquals(404, client.getManifest("team/web", image.manifestDigest()).status());
        // untagging frees nothing by itself: the blobs wait for garbage-collect
        assertEquals(200, client.headBlob("team/web", image.configDigest()));
    }

    @Test
    void garbageCollectRemovesOnlyTheDeletedImagesBlobs() throws Exception {
        try (RegistryServer registry = new RegistryServer()) {
            registry.start();
            RegistryClient client = registry.client();
            byte[] shared = RegistryClient.randomLayer(4096);
            PushedImage kept = client.pushImage("apps/api", "stable", shared, RegistryClient.randomLayer(1024));
            PushedImage doomed = client.pushImage("apps/api", "old", shared, RegistryClient.randomLayer(1024));
            assertEquals(202, client.deleteManifest("apps/api", doomed.manifestDigest()));
            // the manifest itself is a blob too; the shared layer is still referenced by the kept image
            List<String> garbage = List.of(doomed.manifestDigest(), doomed.configDigest(), doomed.layerDigests().get(1));

            assertThrows(IllegalStateException.class, () -> registry.garbageCollect(true, false),
                    "GC must refuse to run against a serving registry");
            registry.stopProcess();
            assertFalse(registry.running());
            assertFalse(Ports.listening(registry.port()), "registry port still open while it is scaled to 0");

            RegistryServer.GcOutput dryRun = registry.garbageCollect(true, false);
            assertEquals(0, dryRun.exitCode(), dryRun.stderr());
            assertEquals(sorted(garbage), sorted(dryRun.eligibleBlobs()), dryRun.stdout());
            assertTrue(dryRun.stdout().contains("blobs marked, 3 blobs and 0 manifests eligible for deletion"),
                    dryRun.stdout());
            for (String blob : garbage) {
                assertTrue(Files.exists(registry.blobFile(blob)), "dry run deleted " + blob);
            }

            RegistryServer.GcOutput real = registry.garbageCollect(false, false);
            assertEquals(0, real.exitCode(), real.stderr());
            assertEquals(sorted(garbage), sorted(real.eligibleBlobs()), real.stdout());
            for (String blob : garbage) {
                assertFalse(Files.exists(registry.blobFile(blob)), "GC kept " + blob);
            }
            assertEquals(3, real.stderr().lines().filter(l -> l.contains("msg=\"Deleting blob: ")).count(),
                    real.stderr());

            registry.startProcess();
            Manifest stillThere = client.getManifest("apps/api", "stable");
            assertEquals(200, stillThere.status());
            assertArrayEquals(kept.manifest(), stillThere.body());
            for (String blob : kept.blobDigests()) {
                assertEquals(200, client.headBlob("apps/api", blob), "kept image lost " + blob);
            }
            assertEquals(404, client.headBlob("apps/api", doomed.configDigest()));
            assertEquals(404, client.headBlob("apps/api", doomed.layerDigests().get(1)));
        }
    }

    @Test
    void deleteUntaggedAlsoCollectsAManifestWhoseTagMovedOn() throws Exception {
        try (RegistryServer registry = new RegistryServer()) {
            registry.start();
            RegistryClient client = registry.client();
            PushedImage first = client.pushImage("apps/worker", "latest", RegistryClient.randomLayer(1024));
            PushedImage second = client.pushImage("apps/worker", "latest", RegistryClient.randomLayer(1024));
            registry.stopProcess();

            // without the flag an untagged manifest still counts as in use
            RegistryServer.GcOutput plain = registry.garbageCollect(true, false);
            assertEquals(List.of(), plain.eligibleBlobs(), plain.stdout());

            RegistryServer.GcOutput untagged = registry.garbageCollect(true, true);
            assertEquals(0, untagged.exitCode(), untagged.stderr());
            assertEquals(List.of(first.manifestDigest()), untagged.eligibleManifests(), untagged.stdout());
            assertEquals(sorted(List.of(first.manifestDigest(), first.configDigest(), first.layerDigests().get(0))),
                    sorted(untagged.eligibleBlobs()), untagged.stdout());
            assertFalse(untagged.eligibleBlobs().contains(second.manifestDigest()));
        }
    }

    @Test
    void registryProcessRestartsOnTheSamePortWithItsData() {
        RegistryClient client = REGISTRY.client();
        PushedImage image = client.pushImage("team/restart", "v1", RegistryClient.randomLayer(256));
        long firstPid = REGISTRY.pid();

        REGISTRY.stopProcess();
        assertFalse(REGISTRY.running());
        assertFalse(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(Ports.listening(REGISTRY.port()));

        REGISTRY.startProcess();
        assertTrue(REGISTRY.running());
        assertNotEquals(firstPid, REGISTRY.pid());
        assertEquals(image.manifestDigest(), client.getManifest("team/restart", "v1").digest());
    }

    @Test
    void stopLeavesNoProcessNoListenerAndNoFiles() {
        RegistryServer registry = new RegistryServer();
        registry.start();
        long pid = registry.pid();
        int port = registry.port();
        Path data = registry.dataDir();
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "registry runs after start");
        assertTrue(Files.isRegularFile(registry.configPath()));

        registry.stop();

        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "registry still runs after stop");
        assertFalse(Ports.listening(port), "something still listens on the registry port after stop");
        assertFalse(Files.exists(data), "registry data dir left behind");
    }

    private static List<String> sorted(List<String> digests) {
        return digests.stream().sorted().toList();
    }
}
