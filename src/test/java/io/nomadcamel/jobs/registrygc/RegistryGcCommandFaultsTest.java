package io.nomadcamel.jobs.registrygc;

import static io.nomadcamel.jobs.registrygc.RegistryGcRig.TOKEN;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitFinished;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitRun;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.AppProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The garbage collection itself goes wrong: it exits non-zero, it hangs past its timeout, the run is stopped through
 * the API while it works. Each time the registry ends at count 1 with a running allocation, and it was never started
 * while a garbage-collect process still ran (the hanging stand-in ignores SIGTERM, so only SIGKILL ends it).
 */
class RegistryGcCommandFaultsTest {

    private static RegistryGcRig rig;
    private static AppProcess app;

    @BeforeAll
    static void cluster() throws Exception {
        rig = new RegistryGcRig();
        rig.seedImage(); // garbage-collect fails on a registry without any repository
        app = AppProcess.start(rig.env(rig.gcScript() + " {flags}"), rig.jobConfig(true))
                .awaitReady(Duration.ofSeconds(60));
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
    void aGarbageCollectionExitingNonZeroFailsTheRunAndTheRegistryComesBack() throws Exception {
        rig.gcMode("bad-config");

        JsonNode run = awaitFinished(app, trigger(app, null), Duration.ofSeconds(60));

        assertEquals("FAILED", run.get("state").asText(), run.toString());
        String error = run.get("error").asText();
        assertTrue(error.contains("exited with 1") && error.contains("configuration error"), error);
        assertEquals(1, run.get("result").get("command_exit").asInt());
        assertEquals("scaled back", run.get("result").get("compensation").get("status").asText());
        assertTrue(run.get("result").has("before_bytes"), "the partial result is kept: " + run);
        rig.assertRegistryBack();
        assertEquals(List.of("1->0", "0->1"), rig.scaleEvents);
    }

    @Test
    void aGarbageCollectionHangingPastItsTimeoutIsKilledBeforeTheRegistryStarts() throws Exception {
        rig.gcMode("hang");

        JsonNode run = awaitFinished(app, trigger(app, "{\"gc_timeout\":\"2s\"}"), Duration.ofSeconds(60));

        assertEquals("FAILED", run.get("state").asText(), run.toString());
        assertTrue(run.get("error").asText().contains("did not finish within 2s"), run.get("error").asText());
        JsonNode compensation = run.get("result").get("compensation");
        assertEquals("scaled back", compensation.get("status").asText());
        assertTrue(compensation.get("command_stopped").asBoolean(), compensation.toString());
        rig.assertRegistryBack();
        assertEquals(List.of("1->0", "0->1"), rig.scaleEvents);
    }

    @Test
    void stoppingTheRunMidGarbageCollectionKillsItThenScalesBack() throws Exception {
        rig.gcMode("hang");
        long id = trigger(app, null);
        rig.awaitGcHanging(Duration.ofSeconds(30));
        assertEquals(List.of("1->0"), rig.scaleEvents, "offline while the GC runs");

        assertEquals(202, app.api("POST", "/api/runs/" + id + "/stop", null, TOKEN).statusCode());

        JsonNode run = awaitRun(app, id, Duration.ofSeconds(60), "the stopped run to end",
                r -> !r.get("state").asText().equals("RUNNING"));
        assertEquals("CANCELLED", run.get("state").asText(), run.toString());
        assertEquals("scaled back", run.get("result").get("compensation").get("status").asText(), run.toString());
        rig.assertRegistryBack();
        assertEquals(List.of("1->0", "0->1"), rig.scaleEvents);
    }
}
