package io.nomadcamel.jobs.registrygc;

import static io.nomadcamel.jobs.registrygc.RegistryGcRig.TOKEN;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitFinished;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitRun;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The garbage collection itself goes wrong: it exits non-zero, it hangs past its timeout, the run is stopped through
 * the API while it works. Each time the registry ends at count 1 with a running allocation, and it was never started
 * while a garbage-collect process still ran (the hanging stand-in ignores SIGTERM, so only SIGKILL ends it).
 */
class RegistryGcCommandFaultsTest {

    @RegisterExtension
    static final RegistryGcApp gc = new RegistryGcApp(Map.of());

    @Test
    void aGarbageCollectionExitingNonZeroFailsTheRunAndTheRegistryComesBack() throws Exception {
        gc.rig.gcMode("bad-config");

        JsonNode run = awaitFinished(gc.app, trigger(gc.app, null), Duration.ofSeconds(60));

        assertEquals("FAILED", run.get("state").asText(), run.toString());
        String error = run.get("error").asText();
        assertTrue(error.contains("exited with 1") && error.contains("configuration error"), error);
        assertEquals(1, run.get("result").get("command_exit").asInt());
        assertEquals("scaled back", run.get("result").get("compensation").get("status").asText());
        assertTrue(run.get("result").has("before_bytes"), "the partial result is kept: " + run);
        gc.rig.assertRegistryBack();
        assertEquals(List.of("1->0", "0->1"), gc.rig.scaleEvents);
    }

    @Test
    void aGarbageCollectionHangingPastItsTimeoutIsKilledBeforeTheRegistryStarts() throws Exception {
        gc.rig.gcMode("hang");

        JsonNode run = awaitFinished(gc.app, trigger(gc.app, "{\"gc_timeout\":\"2s\"}"), Duration.ofSeconds(60));

        assertEquals("FAILED", run.get("state").asText(), run.toString());
        assertTrue(run.get("error").asText().contains("did not finish within 2s"), run.get("error").asText());
        JsonNode compensation = run.get("result").get("compensation");
        assertEquals("scaled back", compensation.get("status").asText());
        assertTrue(compensation.get("command_stopped").asBoolean(), compensation.toString());
        gc.rig.assertRegistryBack();
        assertEquals(List.of("1->0", "0->1"), gc.rig.scaleEvents);
    }

    @Test
    void aSecondMaintenanceOfTheRegistryIsRefusedWhileTheFirstHoldsItOffline() throws Exception {
        gc.rig.gcMode("hang");
        long first = trigger(gc.app, null);
        gc.rig.awaitGcHanging(Duration.ofSeconds(30));

        JsonNode second = awaitFinished(gc.app, trigger(gc.app, "gc-other", null), Duration.ofSeconds(30));
        assertEquals("FAILED", second.get("state").asText(), second.toString());
        assertTrue(second.get("error").asText().startsWith("another maintenance of registry/registry is open "
                + "(intent "), second.toString());
        assertTrue(second.get("error").asText().contains("of run " + first + ", since"), second.toString());
        assertEquals(List.of("1->0"), gc.rig.scaleEvents, "the second run changed nothing");

        assertEquals(202, gc.app.api("POST", "/api/runs/" + first + "/stop", null, TOKEN).statusCode());
        awaitRun(gc.app, first, Duration.ofSeconds(60), "the stopped run to end",
                r -> !r.get("state").asText().equals("RUNNING"));
        gc.rig.assertRegistryBack();
        assertEquals(List.of("1->0", "0->1"), gc.rig.scaleEvents);

        gc.rig.gcMode("real");
        JsonNode after = awaitFinished(gc.app, trigger(gc.app, "gc-other", null), Duration.ofSeconds(60));
        assertEquals("SUCCEEDED", after.get("state").asText(), "the registry is free again: " + after);
    }

    @Test
    void stoppingTheRunMidGarbageCollectionKillsItThenScalesBack() throws Exception {
        gc.rig.gcMode("hang");
        long id = trigger(gc.app, null);
        gc.rig.awaitGcHanging(Duration.ofSeconds(30));
        assertEquals(List.of("1->0"), gc.rig.scaleEvents, "offline while the GC runs");

        assertEquals(202, gc.app.api("POST", "/api/runs/" + id + "/stop", null, TOKEN).statusCode());

        JsonNode run = awaitRun(gc.app, id, Duration.ofSeconds(60), "the stopped run to end",
                r -> !r.get("state").asText().equals("RUNNING"));
        assertEquals("CANCELLED", run.get("state").asText(), run.toString());
        assertEquals("scaled back", run.get("result").get("compensation").get("status").asText(), run.toString());
        gc.rig.assertRegistryBack();
        assertEquals(List.of("1->0", "0->1"), gc.rig.scaleEvents);
    }
}
