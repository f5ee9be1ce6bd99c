package io.nomadcamel.jobs.registrygc;

import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitRun;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import org.junit.jupiter.api.Test;

/**
 * The application is SIGKILLed while garbage-collect runs in its container ({@code docker run --rm --name
 * ncj-maint-<intent>}, the default command's shape, through the fake docker CLI on the node). The container lives on
 * under the "daemon" whatever happens to the {@code docker run} client. A new instance on the same PostgreSQL finds
 * the dead run's intent, which recorded the container, and removes the container (seen gone) before its first
 * scale-up reaches Nomad.
 */
class RegistryGcContainerCrashTest {

    @Test
    void afterACrashTheContainerIsRemovedAndSeenGoneBeforeTheFirstScaleUp() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String database = "registry_gc_container_crash";
        try (RegistryGcRig rig = new RegistryGcRig()) {
            rig.seedImage();
            rig.gcMode("hang");
            Map<String, String> env = rig.envOnPostgres(rig.containerCommand(), database);

            long id;
            String container;
            try (AppProcess crashing = AppProcess.start(env, rig.jobConfig(true)).awaitReady(Duration.ofSeconds(60))) {
                id = trigger(crashing, null);
                rig.awaitGcHanging(Duration.ofSeconds(30));
                List<String> running = rig.docker.running();
                assertEquals(1, running.size(), running.toString());
                container = running.get(0);

                crashing.kill();
                crashing.process().process().waitFor();
            }
            Thread.sleep(1_000);
            assertEquals(List.of(container), rig.docker.running(), "the container outlives the crashed instance");
            assertEquals(0, rig.nomad.groupCount("registry", "registry"), "nothing scaled back by the dead instance");
            assertEquals(container, recordedContainer(pg, database, id), "the intent says a container was used");

            try (AppProcess recovering = AppProcess.start(env, rig.jobConfig(true))
                    .awaitReady(Duration.ofSeconds(60))) {
                JsonNode run = awaitRun(recovering, id, Duration.ofSeconds(40), "the dead run's compensation",
                        r -> "scaled back".equals(r.path("result").path("compensation").path("status").asText()));

                JsonNode compensation = run.get("result").get("compensation");
                assertTrue(compensation.get("by").asText().startsWith("recovery on instance"), compensation.toString());
                assertEquals(container, compensation.get("container_removed").asText());
                rig.assertContainerGoneBeforeScaleUp(container);
                rig.assertRegistryBack(); // among others: no container or GC process at the scale-up
                assertEquals(List.of("1->0", "0->1"), rig.scaleEvents);
            }
        }
    }

    private static String recordedContainer(PostgresServer pg, String database, long runId) throws Exception {
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT container_name FROM maintenance_intents WHERE run_id = "
                        + runId)) {
            assertTrue(rs.next(), "an intent was written for run " + runId);
            return rs.getString(1);
        }
    }
}
