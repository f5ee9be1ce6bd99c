package io.nomadcamel.jobs.registrygc;

import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitFinished;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.AppProcess;
import org.junit.jupiter.api.Test;

/**
 * The offline-maintenance building block serves a second job with no Java of its own: a YAML route
 * (src/test/resources/offline-routes/test-offline.camel.yaml) builds its request map, sets it as the property
 * {@code maintenance} and uses the same steps, here with a containerised command as an aptly cleanup would have.
 */
class OfflineMaintenanceYamlOnlyTest {

    @Test
    void aRouteWrittenInYamlOnlyTakesTheGroupOfflineRunsItsContainerAndScalesBack() throws Exception {
        try (RegistryGcRig rig = new RegistryGcRig()) {
            rig.seedImage();
            Map<String, String> env = rig.env(rig.containerCommand());
            env.put("OFFLINE_TEST_COMMAND", rig.docker.cli() + " run --rm --name {container_name} registry:3 "
                    + "garbage-collect --dry-run /etc/distribution/config.yml");
            env.put("ROUTES_INCLUDE", "file:routes/*.camel.yaml,file:src/test/resources/offline-routes/*.camel.yaml");
            try (AppProcess app = AppProcess.start(env, "jobs.offline.type=test-offline\njobs.offline.timeout=2m\n")
                    .awaitReady(Duration.ofSeconds(60))) {
                long id = trigger(app, "offline", null);
                JsonNode run = awaitFinished(app, id, Duration.ofSeconds(60));

                assertEquals("SUCCEEDED", run.get("state").asText(), run.toString());
                JsonNode result = run.get("result");
                assertEquals(0, result.get("command_exit").asInt(), result.toString());
                assertTrue(result.get("command_stdout").asText().contains("eligible for deletion"), result.toString());
                String container = result.get("container_name").asText();
                assertEquals("scaled back", result.get("compensation").get("status").asText());
                assertEquals("run " + id, result.get("compensation").get("by").asText(), "by the route's doFinally");
                rig.assertContainerGoneBeforeScaleUp(container);
                rig.assertRegistryBack();
                assertEquals(List.of("1->0", "0->1"), rig.scaleEvents);
                JsonNode scaleDown = RegistryGcRig.JSON.readTree(rig.nomad.requests("POST", "/v1/job/registry/scale")
                        .get(0).body());
                assertTrue(scaleDown.get("Message").asText().contains("(offline-test)"), scaleDown.toString());
            }
        }
    }
}
