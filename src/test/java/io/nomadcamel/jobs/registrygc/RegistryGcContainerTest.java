package io.nomadcamel.jobs.registrygc;

import static io.nomadcamel.jobs.registrygc.RegistryGcRig.TOKEN;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitFinished;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitRun;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.scaleBackFailedGauge;
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
 * The garbage collection runs as the default command does, in a container named after the intent
 * ({@code docker run --rm --name ncj-maint-<intent> ...}), through a fake docker CLI on the node whose containers,
 * like a daemon's, live outside the caller's session: killing the {@code docker run} client does not end them. Each
 * scale-back removes the container ({@code docker rm -f}) and sees it gone ({@code docker inspect}) before the
 * registry runs again; if it cannot, the registry stays down, CRITICAL, until a later recovery pass manages.
 */
class RegistryGcContainerTest {

    @RegisterExtension
    static final RegistryGcApp gc = new RegistryGcApp(Map.of("MAINTENANCE_SCALE_BACK_ATTEMPTS", "2",
            "MAINTENANCE_CONTAINER_GONE_TIMEOUT", "3s"), RegistryGcRig::containerCommand);

    @Test
    void aGarbageCollectionInAContainerRunsAndItsContainerIsCheckedGoneBeforeTheScaleBack() throws Exception {
        long id = trigger(gc.app, null);
        JsonNode run = awaitFinished(gc.app, id, Duration.ofSeconds(60));

        assertEquals("SUCCEEDED", run.get("state").asText(), run.toString());
        JsonNode result = run.get("result");
        assertTrue(result.get("summary").asText().endsWith("eligible for deletion"),
                "the real garbage-collect ran in the container: " + result);
        String container = result.get("compensation").get("container_removed").asText();
        assertTrue(container.matches("ncj-maint-\\d+"), container);
        List<String> calls = gc.rig.assertContainerGoneBeforeScaleUp(container);
        assertEquals("nomad scale 1->0", calls.get(0), calls.toString());
        assertTrue(calls.get(1).startsWith("docker run --rm --name " + container + " -v "), calls.toString());
        gc.rig.assertRegistryBack();
    }

    @Test
    void stoppingTheRunMidGcRemovesTheContainerThatOutlivedItsClientBeforeTheScaleBack() throws Exception {
        gc.rig.gcMode("hang"); // ignores the SIGTERM docker run relays; only docker rm -f (SIGKILL) ends it
        long id = trigger(gc.app, null);
        gc.rig.awaitGcHanging(Duration.ofSeconds(30));
        List<String> containers = gc.rig.docker.running();
        assertEquals(1, containers.size(), containers.toString());
        String container = containers.get(0);
        assertTrue(container.matches("ncj-maint-\\d+"), container);

        assertEquals(202, gc.app.api("POST", "/api/runs/" + id + "/stop", null, TOKEN).statusCode());

        JsonNode run = awaitRun(gc.app, id, Duration.ofSeconds(60), "the stopped run to end",
                r -> !r.get("state").asText().equals("RUNNING"));
        assertEquals("CANCELLED", run.get("state").asText(), run.toString());
        JsonNode compensation = run.get("result").get("compensation");
        assertEquals("scaled back", compensation.get("status").asText(), run.toString());
        assertEquals(container, compensation.get("container_removed").asText());
        gc.rig.assertContainerGoneBeforeScaleUp(container);
        gc.rig.assertRegistryBack();
        assertEquals(List.of("1->0", "0->1"), gc.rig.scaleEvents);
    }

    @Test
    void whileDockerRmFailsTheRegistryStaysDownCriticalAndTheNextPassScalesBackOnceDockerRecovers()
            throws Exception {
        gc.rig.gcMode("hang");
        gc.rig.docker.failRemove(true);
        long id = trigger(gc.app, "{\"gc_timeout\":\"2s\"}");

        JsonNode failed = awaitFinished(gc.app, id, Duration.ofSeconds(60));

        assertEquals("FAILED", failed.get("state").asText(), failed.toString());
        String container = failed.get("result").get("container_name").asText();
        String error = failed.get("error").asText();
        assertTrue(error.contains("did not finish within 2s"), error);
        assertTrue(error.contains("CRITICAL: could not make sure the command stopped on node node-1 (127.0.0.1) and "
                + "its container " + container + " is gone, so registry/registry was not scaled back: docker rm -f "
                + container + " failed (exit 1): Error response from daemon: cannot remove container"), error);
        assertEquals("failed", failed.get("result").get("compensation").get("status").asText());
        assertEquals(1.0, scaleBackFailedGauge(gc.app));
        Thread.sleep(2_500); // recovery passes (every second) fail the same way meanwhile
        assertEquals(0, gc.rig.nomad.groupCount("registry", "registry"), "never scaled back while it may run");
        assertEquals(List.of("1->0"), gc.rig.scaleEvents);
        assertEquals(List.of(container), gc.rig.docker.running(), "the GC container still runs");
        assertEquals(1.0, scaleBackFailedGauge(gc.app));

        gc.rig.docker.failRemove(false);

        JsonNode recovered = awaitRun(gc.app, id, Duration.ofSeconds(30), "recovery to scale back",
                r -> "scaled back".equals(r.path("result").path("compensation").path("status").asText()));
        assertTrue(recovered.get("result").get("compensation").get("by").asText().startsWith("recovery on instance"));
        assertEquals(container, recovered.get("result").get("compensation").get("container_removed").asText());
        assertTrue(recovered.get("error").asText().contains("compensated after the run ended"),
                recovered.get("error").asText());
        assertEquals(0.0, scaleBackFailedGauge(gc.app));
        gc.rig.assertContainerGoneBeforeScaleUp(container);
        gc.rig.assertRegistryBack();
        assertEquals(List.of("1->0", "0->1"), gc.rig.scaleEvents);
    }
}
