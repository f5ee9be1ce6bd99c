package io.nomadcamel.jobs.registrygc;

import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitRun;
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
 * The application is stopped (SIGTERM, graceful shutdown) while garbage-collect runs: the shutdown stops the run,
 * which kills the garbage collection on the node and scales the registry back before the process exits; the next
 * start finds nothing left to recover.
 */
class RegistryGcShutdownTest {

    @Test
    void aGracefulShutdownMidGcScalesTheRegistryBackBeforeExiting() throws Exception {
        try (RegistryGcRig rig = new RegistryGcRig()) {
            rig.seedImage();
            rig.gcMode("busy");
            Map<String, String> env = rig.env(rig.gcScript() + " {flags}");
            AppProcess first = AppProcess.start(env, rig.jobConfig(true)).awaitReady(Duration.ofSeconds(60));
            long id;
            try {
                id = trigger(first, null);
                rig.awaitGcHanging(Duration.ofSeconds(30));
                assertEquals(List.of("1->0"), rig.scaleEvents);

                first.stop();

                assertTrue(first.output().contains("registry/registry scaled back to 1 by run " + id),
                        "scaled back by the run itself before exiting:\n" + RegistryGcRig.tail(first.output(), 4000));
                rig.assertRegistryBack();
                assertEquals(List.of("1->0", "0->1"), rig.scaleEvents);
            } finally {
                first.stop();
            }

            env.put("DATA_DIR", first.dataDir().toString()); // the same embedded database
            try (AppProcess second = AppProcess.start(env, rig.jobConfig(true)).awaitReady(Duration.ofSeconds(60))) {
                JsonNode run = awaitRun(second, id, Duration.ofSeconds(10), "the stopped run",
                        r -> !r.get("state").asText().equals("RUNNING"));
                assertEquals("CANCELLED", run.get("state").asText(), run.toString());
                assertEquals("application shutdown", run.get("reason").asText());
                assertEquals("scaled back", run.get("result").get("compensation").get("status").asText());
                Thread.sleep(2_000); // recovery passes (every second) find no open intent
                assertEquals(List.of("1->0", "0->1"), rig.scaleEvents, "nothing left to recover");
            } finally {
                first.close();
            }
        }
    }
}
