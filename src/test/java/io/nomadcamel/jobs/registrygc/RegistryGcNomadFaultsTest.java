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

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.FakeNomad;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nomad goes wrong around the garbage collection: the registry never drains, the scale-up meets 500s, the
 * scale-down fails. The registry ends at count 1 with a running allocation each time, and a scale-down that failed
 * compensates nothing.
 */
class RegistryGcNomadFaultsTest {

    private static final String SCALE = "/v1/job/registry/scale";
    private static RegistryGcRig rig;
    private static AppProcess app;

    @BeforeAll
    static void cluster() throws Exception {
        rig = new RegistryGcRig();
        rig.seedImage(); // garbage-collect fails on a registry without any repository
        app = AppProcess.start(rig.env(rig.gcScript() + " {flags}"), rig.jobConfig(true)).awaitReady(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        rig.close();
    }

    @BeforeEach
    void freshCluster() throws Exception {
        rig.resetCluster();
    }

    @Test
    void aRegistryThatNeverDrainsIsScaledBackWithoutGarbageCollecting() throws Exception {
        rig.nomad.neverDrain("registry");
        rig.gcMode("hang"); // would leave a "started" file, had it run

        JsonNode run = awaitFinished(app, trigger(app, "{\"drain_timeout\":\"2s\"}"), Duration.ofSeconds(60));

        assertEquals("FAILED", run.get("state").asText(), run.toString());
        assertTrue(run.get("error").asText().contains("did not stop within 2s"), run.get("error").asText());
        assertFalse(Files.exists(rig.dir.resolve("started")), "garbage-collect must not run on a live registry");
        assertEquals("scaled back", run.get("result").get("compensation").get("status").asText());
        rig.assertRegistryBack();
    }

    @Test
    void aScaleUpAnswered500TwiceIsRetriedUntilTheRegistryRuns() throws Exception {
        // armed once the registry is down, so that only scale-ups meet the 500s
        rig.nomad.onScale("registry", (group, from, to) -> {
            if (to == 0) {
                rig.nomad.failNext("POST", SCALE, 2, 500, "rpc error: No cluster leader");
            }
        });

        JsonNode run = awaitFinished(app, trigger(app, null), Duration.ofSeconds(60));

        assertEquals("SUCCEEDED", run.get("state").asText(), run.toString());
        List<Integer> counts = scaleCounts();
        assertEquals(List.of(0, 1, 1, 1), counts, "one scale-down, then the scale-up three times");
        assertEquals("scaled back", run.get("result").get("compensation").get("status").asText());
        rig.assertRegistryBack();
    }

    @Test
    void aFailedScaleDownCompensatesNothingAndFailsWithNomadsError() throws Exception {
        rig.nomad.failNext("POST", SCALE, 4, 500, "rpc error: No cluster leader");

        JsonNode run = awaitFinished(app, trigger(app, null), Duration.ofSeconds(60));

        assertEquals("FAILED", run.get("state").asText(), run.toString());
        String error = run.get("error").asText();
        assertTrue(error.contains("answered 500") && error.contains("No cluster leader"), error);
        assertEquals(List.of(0, 0, 0, 0), scaleCounts(), "the client's retries, and no scale-back");
        assertFalse(run.get("result").has("compensation"), run.toString());
        assertEquals(List.of(), rig.scaleEvents, "the registry was never touched");
        rig.assertRegistryBack();
    }

    @Test
    void anUnknownNomadJobFailsAtOnceNamingItAndTouchesNothing() throws Exception {
        JsonNode run = awaitFinished(app, trigger(app, "{\"job_name\":\"no-such-registry\"}"), Duration.ofSeconds(30));

        assertEquals("FAILED", run.get("state").asText(), run.toString());
        assertTrue(run.get("error").asText().startsWith("Nomad job 'no-such-registry' not found"),
                run.get("error").asText());
        assertEquals(List.of(), rig.nomad.requests("POST", "/v1/job/.*/scale"));
        rig.assertRegistryBack();
    }

    private static List<Integer> scaleCounts() throws Exception {
        List<Integer> counts = new ArrayList<>();
        for (FakeNomad.RecordedRequest r : rig.nomad.requests("POST", SCALE)) {
            counts.add(JSON.readTree(r.body()).get("Count").asInt());
        }
        return counts;
    }

}
