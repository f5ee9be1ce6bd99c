package io.nomadcamel.jobs.registrygc;

import static io.nomadcamel.jobs.registrygc.RegistryGcRig.JSON;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitFinished;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitRun;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.FakeNomad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scale-back itself keeps failing (Nomad answers 503): the run fails with CRITICAL in its error and its result,
 * an ERROR log line carries severity CRITICAL, the gauge ncj_maintenance_scale_back_failed is 1 and stays 1 while
 * recovery passes fail, and falls to 0 once recovery scaled the registry back and recorded it on the run.
 */
class RegistryGcScaleBackFailureTest {

    private static final String SCALE = "/v1/job/registry/scale";
    @RegisterExtension
    static final RegistryGcApp gc = new RegistryGcApp(Map.of("MAINTENANCE_SCALE_BACK_ATTEMPTS", "2"));

    @Test
    void aFailedScaleBackIsCriticalUntilRecoveryScalesTheRegistryBack() throws Exception {
        // 2 attempts of 4 calls in the run, then 2 more from the first recovery pass, then it gets through
        gc.rig.nomad.onScale("registry", (group, from, to) -> {
            if (to == 0) {
                gc.rig.nomad.failNext("POST", SCALE, 12, 503, "rpc error: No cluster leader");
            }
        });

        long id = trigger(gc.app, null);
        JsonNode failed = awaitFinished(gc.app, id, Duration.ofSeconds(60));

        assertEquals("FAILED", failed.get("state").asText(), failed.toString());
        assertTrue(failed.get("error").asText().startsWith("CRITICAL: scale-back of registry/registry to 1 failed"),
                failed.get("error").asText());
        assertEquals("failed", failed.get("result").get("compensation").get("status").asText());
        assertTrue(criticalLogLines().stream().anyMatch(l -> l.contains("registry/registry is still offline")),
                "an ERROR line with severity CRITICAL");

        JsonNode recovered = awaitRun(gc.app, id, Duration.ofSeconds(30), "recovery to record its scale-back",
                r -> "scaled back".equals(r.path("result").path("compensation").path("status").asText()));
        assertEquals("FAILED", recovered.get("state").asText());
        assertTrue(recovered.get("result").get("compensation").get("by").asText().startsWith("recovery on instance"));
        assertTrue(recovered.get("error").asText().contains("compensated after the run ended"),
                recovered.get("error").asText());
        gc.rig.assertRegistryBack();
        assertEquals(0.0, gauge(), "the gauge falls once a scale-back succeeded");
        List<Integer> counts = scaleCounts();
        assertEquals(0, counts.get(0));
        assertEquals(13, counts.subList(1, counts.size()).stream().filter(c -> c == 1).count(), counts.toString());
    }

    @Test
    void theCriticalGaugeStaysUpWhileTheScaleBackFails() throws Exception {
        gc.rig.nomad.onScale("registry", (group, from, to) -> {
            if (to == 0) {
                gc.rig.nomad.failNext("POST", SCALE, 10_000, 503, "rpc error: No cluster leader");
            }
        });
        long id = trigger(gc.app, null);
        awaitFinished(gc.app, id, Duration.ofSeconds(60));
        assertEquals(1.0, gauge());
        Thread.sleep(3_000); // recovery passes keep failing meanwhile
        assertEquals(1.0, gauge(), "still up: no scale-back has succeeded");
        assertEquals(0, gc.rig.nomad.groupCount("registry", "registry"));

        gc.rig.nomad.reset(); // faults gone; the cluster as it stands: registry at 0
        gc.rig.nomad.addNode("node-1", "127.0.0.1");
        gc.rig.nomad.addJob("registry").group("registry", 0).task("registry", "docker", "registry:3");
        gc.rig.nomad.onScale("registry", (group, from, to) -> gc.rig.registry.startProcess());
        awaitRun(gc.app, id, Duration.ofSeconds(30), "recovery to scale back",
                r -> "scaled back".equals(r.path("result").path("compensation").path("status").asText()));
        assertEquals(0.0, gauge());
        gc.rig.assertRegistryBack();
    }

    private static List<Integer> scaleCounts() throws Exception {
        List<Integer> counts = new ArrayList<>();
        for (FakeNomad.RecordedRequest r : gc.rig.nomad.requests("POST", SCALE)) {
            counts.add(JSON.readTree(r.body()).get("Count").asInt());
        }
        return counts;
    }

    private static List<String> criticalLogLines() {
        return gc.app.output().lines().filter(l -> l.contains("\"level\":\"ERROR\"")
                && l.contains("\"severity\":\"CRITICAL\"")).toList();
    }

    private static double gauge() {
        return RegistryGcRig.scaleBackFailedGauge(gc.app);
    }
}
