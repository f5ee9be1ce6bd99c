package io.nomadcamel.jobs.registrygc;

import static io.nomadcamel.jobs.registrygc.RegistryGcRig.TOKEN;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitFinished;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.JolokiaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hawtio may stop and start routes (the Jolokia policy allows it). Stopping the registry-gc route while its saga has
 * the registry scaled to 0 strands nothing: Camel waits for the run's exchange for its shutdown timeout, then takes
 * the route down without ending the run; the run, stopped over the API, still kills the garbage collection and
 * scales the registry back (its end hook is under the route, not in it). While the route is stopped its runs wait
 * 30 s for it (direct:'s default) and then fail, changing nothing; started again, the job works.
 */
class RegistryGcRouteStopTest {

    private static final String USER = "ops";
    private static final String PASSWORD = "route-stop-pw-41c7";
    private static final String ROUTE = "org.apache.camel:context=nomad-camel-jobs,name=\"registry-gc\",type=routes";

    @RegisterExtension
    static final RegistryGcApp gc = new RegistryGcApp(Map.of("JOLOKIA_USER", USER, "JOLOKIA_PASSWORD", PASSWORD,
            "CAMEL_MAIN_SHUTDOWNTIMEOUT", "3"));

    @Test
    void stoppingTheRouteMidSagaLeavesTheRunToScaleTheRegistryBack() throws Exception {
        JolokiaClient jolokia = JolokiaClient.of(gc.app, USER, PASSWORD);
        gc.rig.gcMode("busy");
        long id = trigger(gc.app, null);
        gc.rig.awaitGcHanging(Duration.ofSeconds(30));
        assertEquals(List.of("1->0"), gc.rig.scaleEvents);

        assertEquals(200, jolokia.exec(ROUTE, "stop()").path("status").asInt());
        assertEquals("Stopped", jolokia.read(ROUTE, "State").asText());
        assertEquals("RUNNING", RegistryGcRig.run(gc.app, id).get("state").asText(), "the run is not ended by it");
        assertEquals(0, gc.rig.nomad.groupCount("registry", "registry"), "no scale-up while garbage-collect runs");

        assertEquals(202, gc.app.api("POST", "/api/runs/" + id + "/stop", null, TOKEN).statusCode());
        JsonNode stopped = awaitFinished(gc.app, id, Duration.ofSeconds(60));
        assertEquals("CANCELLED", stopped.get("state").asText(), stopped.toString());
        gc.rig.assertRegistryBack();
        assertEquals(List.of("1->0", "0->1"), gc.rig.scaleEvents);

        gc.rig.gcMode("real");
        long refused = trigger(gc.app, null);
        // the direct: endpoint waits 30 s for its consumer to come back before it fails the run
        JsonNode failed = awaitFinished(gc.app, refused, Duration.ofSeconds(90));
        assertEquals("FAILED", failed.get("state").asText(), failed.toString());
        assertTrue(failed.get("error").asText().contains("direct://registry-gc"), failed.get("error").asText());
        assertEquals(List.of("1->0", "0->1"), gc.rig.scaleEvents, "a run of a stopped route changes nothing");

        assertEquals(200, jolokia.exec(ROUTE, "start()").path("status").asInt());
        JsonNode again = awaitFinished(gc.app, trigger(gc.app, null), Duration.ofSeconds(60));
        assertEquals("SUCCEEDED", again.get("state").asText(), again.toString());
        gc.rig.assertRegistryBack();
    }
}
