package io.nomadcamel.jobs.registrygc;

import static io.nomadcamel.jobs.registrygc.RegistryGcRig.JSON;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitFinished;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.FakeNomad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Nomad goes wrong around the garbage collection: the registry never drains, the scale-up meets 500s, the
 * scale-down fails. The registry ends at count 1 with a running allocation each time, and a scale-down that failed
 * compensates nothing.
 */
class RegistryGcNomadFaultsTest {

    private static final String SCALE = "/v1/job/registry/scale";
    @RegisterExtension
    static final RegistryGcApp gc = new RegistryGcApp(Map.of());

    @Test
    void aRegistryThatNeverDrainsIsScaledBackWithoutGarbageCollecting() throws Exception {
        gc.rig.nomad.neverDrain("registry");
        gc.rig.gcMode("hang"); // would leave a "started" file, had it run

        JsonNode run = awaitFinished(gc.app, trigger(gc.app, "{\"drain_timeout\":\"2s\"}"), Duration.ofSeconds(60));

        assertEquals("FAILED", run.get("state").asText(), run.toString());
        assertTrue(run.get("error").asText().contains("did not stop within 2s"), run.get("error").asText());
        assertFalse(Files.exists(gc.rig.dir.resolve("started")), "garbage-collect must not run on a live registry");
        assertEquals("scaled back", run.get("result").get("compensation").get("status").asText());
        gc.rig.assertRegistryBack();
    }

    @Test
    void aScaleUpAnswered500TwiceIsRetriedUntilTheRegistryRuns() throws Exception {
        // armed once the registry is down, so that only scale-ups meet the 500s
        gc.rig.nomad.onScale("registry", (group, from, to) -> {
            if (to == 0) {
                gc.rig.nomad.failNext("POST", SCALE, 2, 500, "rpc error: No cluster leader");
            }
        });

        JsonNode run = awaitFinished(gc.app, trigger(gc.app, null), Duration.ofSeconds(60));

        assertEquals("SUCCEEDED", run.get("state").asText(), run.toString());
        List<Integer> counts = scaleCounts();
        assertEquals(List.of(0, 1, 1, 1), counts, "one scale-down, then the scale-up three times");
        assertEquals("scaled back", run.get("result").get("compensation").get("status").asText());
        gc.rig.assertRegistryBack();
    }

    @Test
    void aFailedScaleDownCompensatesNothingAndFailsWithNomadsError() throws Exception {
        gc.rig.nomad.failNext("POST", SCALE, 4, 500, "rpc error: No cluster leader");

        JsonNode run = awaitFinished(gc.app, trigger(gc.app, null), Duration.ofSeconds(60));

        assertEquals("FAILED", run.get("state").asText(), run.toString());
        String error = run.get("error").asText();
        assertTrue(error.contains("answered 500") && error.contains("No cluster leader"), error);
        assertEquals(List.of(0, 0, 0, 0), scaleCounts(), "the client's retries, and no scale-back");
        assertFalse(run.get("result").has("compensation"), run.toString());
        assertEquals(List.of(), gc.rig.scaleEvents, "the registry was never touched");
        gc.rig.assertRegistryBack();
    }

    @Test
    void anUnknownNomadJobFailsAtOnceNamingItAndTouchesNothing() throws Exception {
        JsonNode run = awaitFinished(gc.app, trigger(gc.app, "{\"job_name\":\"no-such-registry\"}"), Duration.ofSeconds(30));

        assertEquals("FAILED", run.get("state").asText(), run.toString());
        assertTrue(run.get("error").asText().startsWith("Nomad job 'no-such-registry' not found"),
                run.get("error").asText());
        assertEquals(List.of(), gc.rig.nomad.requests("POST", "/v1/job/.*/scale"));
        gc.rig.assertRegistryBack();
    }

    private static List<Integer> scaleCounts() throws Exception {
        List<Integer> counts = new ArrayList<>();
        for (FakeNomad.RecordedRequest r : gc.rig.nomad.requests("POST", SCALE)) {
            counts.add(JSON.readTree(r.body()).get("Count").asInt());
        }
        return counts;
    }

}
