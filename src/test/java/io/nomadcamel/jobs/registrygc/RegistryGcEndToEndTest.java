package io.nomadcamel.jobs.registrygc;

import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitFinished;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.FakeNomad;
import io.nomadcamel.jobs.testsupport.RegistryClient;
import io.nomadcamel.jobs.testsupport.RegistryClient.PushedImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * registry-gc end to end: the application (a child JVM) scales the fake Nomad's registry job to 0, which really stops
 * the docker-registry process, runs the real {@code docker-registry garbage-collect} over real sshd with
 * {@code REGISTRY_GC_COMMAND}, measures the data dir with {@code du -sb} and scales back, which starts the registry.
 */
class RegistryGcEndToEndTest {

    private static final int LAYER = 300_000;
    private static RegistryGcRig rig;

    @BeforeAll
    static void cluster() throws Exception {
        rig = new RegistryGcRig();
    }

    @AfterAll
    static void stop() {
        rig.close();
    }

    @Test
    void aDryRunReportsWhatARealRunThenFreesAndEveryTaggedImageIsStillServed() throws Exception {
        RegistryClient client = rig.registry.client();
        byte[] shared = RegistryClient.randomLayer(LAYER);
        PushedImage old = client.pushImage("apps/api", "old", shared, RegistryClient.randomLayer(LAYER));
        PushedImage stable = client.pushImage("apps/api", "stable", shared, RegistryClient.randomLayer(LAYER));
        assertEquals(202, client.deleteManifest("apps/api", old.manifestDigest()));
        PushedImage untagged = client.pushImage("apps/worker", "latest", shared, RegistryClient.randomLayer(LAYER));
        PushedImage worker = client.pushImage("apps/worker", "latest", shared, RegistryClient.randomLayer(LAYER));
        Set<String> garbage = Set.of(old.manifestDigest(), old.configDigest(), old.layerDigests().get(1),
                untagged.manifestDigest(), untagged.configDigest(), untagged.layerDigests().get(1));

        String command = Programs.dockerRegistry() + " garbage-collect {flags} " + rig.registry.configPath();
        try (AppProcess app = AppProcess.start(rig.env(command), rig.jobConfig(true))
                .awaitReady(Duration.ofSeconds(60))) {
            long dry = trigger(app, null);
            JsonNode dryRun = awaitFinished(app, dry, Duration.ofSeconds(60));
            assertEquals("SUCCEEDED", dryRun.get("state").asText(), dryRun.toString());
            JsonNode report = dryRun.get("result");
            assertEquals(true, report.get("dry_run").asBoolean());
            assertEquals("node-1", report.get("node_name").asText());
            assertEquals("127.0.0.1", report.get("node_addr").asText());
            assertEquals(garbage, strings(report.get("eligible_blobs")), report.toString());
            assertEquals(6, report.get("blobs_deleted").asInt());
            assertEquals(List.of(untagged.manifestDigest()), List.copyOf(strings(report.get("eligible_manifests"))));
            assertEquals(1, report.get("manifests_deleted").asInt());
            assertEquals("7 blobs marked, 6 blobs and 1 manifests eligible for deletion",
                    report.get("summary").asText());
            assertEquals(report.get("before_bytes").asLong(), report.get("after_bytes").asLong(), "a dry run frees nothing");
            assertEquals("0B", report.get("bytes_reclaimed").asText());
            assertEquals("scaled back", report.get("compensation").get("status").asText());
            for (String digest : garbage) {
                assertTrue(Files.exists(rig.registry.blobFile(digest)), "dry run kept " + digest);
            }
            rig.assertRegistryBack();
            assertEquals(List.of("1->0", "0->1"), rig.scaleEvents);
            assertScaleCalls(rig.nomad, dry);

            rig.scaleEvents.clear();
            long real = trigger(app, "{\"dry_run\":false}");
            JsonNode realRun = awaitFinished(app, real, Duration.ofSeconds(60));
            assertEquals("SUCCEEDED", realRun.get("state").asText(), realRun.toString());
            JsonNode freed = realRun.get("result");
            assertFalse(freed.get("dry_run").asBoolean());
            assertEquals(garbage, strings(freed.get("eligible_blobs")));
            assertEquals(6, freed.get("blobs_deleted").asInt());
            assertEquals(1, freed.get("manifests_deleted").asInt());
            long reclaimed = freed.get("before_bytes").asLong() - freed.get("after_bytes").asLong();
            assertTrue(reclaimed >= 2L * LAYER, "two unique layers of " + LAYER + " bytes freed: " + reclaimed);
            assertEquals(ByteSizes.iec(reclaimed), freed.get("bytes_reclaimed").asText());
            assertTrue(freed.get("bytes_reclaimed").asText().endsWith("KiB"), freed.toString());
            for (String digest : garbage) {
                assertFalse(Files.exists(rig.registry.blobFile(digest)), "deleted from disk: " + digest);
            }
            rig.assertRegistryBack();
            assertEquals(List.of("1->0", "0->1"), rig.scaleEvents);

            for (PushedImage tagged : List.of(stable, worker)) {
                RegistryClient.Manifest manifest = client.getManifest(tagged.repository(), tagged.tag());
                assertEquals(200, manifest.status(), tagged.repository() + ":" + tagged.tag());
                assertEquals(tagged.manifestDigest(), manifest.digest());
                for (String blob : tagged.blobDigests()) {
                    assertEquals(200, client.headBlob(tagged.repository(), blob), "still served: " + blob);
                }
            }
            assertEquals(404, client.headBlob("apps/api", old.layerDigests().get(1)), "a freed blob is gone");
        }
    }

    /** Each run scaled the group with Count, Target.Group and a Message naming the run, down then back. */
    private static void assertScaleCalls(FakeNomad nomad, long runId) throws Exception {
        List<JsonNode> bodies = new java.util.ArrayList<>();
        for (FakeNomad.RecordedRequest r : nomad.requests("POST", "/v1/job/registry/scale")) {
            bodies.add(RegistryGcRig.JSON.readTree(r.body()));
        }
        assertEquals(2, bodies.size(), bodies.toString());
        assertEquals(0, bodies.get(0).get("Count").asInt());
        assertEquals(1, bodies.get(1).get("Count").asInt());
        for (JsonNode body : bodies) {
            assertEquals("registry", body.get("Target").get("Group").asText());
            assertTrue(body.get("Message").asText().contains("run " + runId), body.toString());
        }
        assertNotEquals(bodies.get(0).get("Message"), bodies.get(1).get("Message"));
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new HashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Where the real garbage-collect is. */
    static final class Programs {
        static String dockerRegistry() {
            return io.nomadcamel.jobs.testsupport.Programs.require("docker-registry", "docker-registry").toString();
        }
    }
}
