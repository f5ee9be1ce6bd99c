package io.nomadcamel.jobs.registrygc;

import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitRun;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * The application is SIGKILLed while garbage-collect runs with the registry scaled to 0. The garbage collection
 * survives the crash on the node; a new instance on the same PostgreSQL finds the open intent of the dead run, kills
 * the garbage collection on the node, only then scales the registry back, and records that on the dead run.
 */
class RegistryGcCrashRecoveryTest {

    @Test
    void aNewInstanceKillsTheOrphanedGcThenScalesTheRegistryBackAndRecordsItOnTheDeadRun() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String database = "registry_gc_crash";
        try (RegistryGcRig rig = new RegistryGcRig()) {
            rig.seedImage();
            rig.gcMode("hang");
            Map<String, String> env = rig.envOnPostgres(rig.gcScript() + " {flags}", database);

            long id;
            try (AppProcess crashing = AppProcess.start(env, rig.jobConfig(true)).awaitReady(Duration.ofSeconds(60))) {
                id = trigger(crashing, null);
                rig.awaitGcHanging(Duration.ofSeconds(30));
                assertEquals(List.of("1->0"), rig.scaleEvents);

                crashing.kill();
                crashing.process().process().waitFor();
            }
            assertFalse(rig.gcProcesses().isEmpty(), "garbage-collect outlives the crashed instance on the node");
            assertEquals(0, rig.nomad.groupCount("registry", "registry"), "nothing scaled back by the dead instance");

            try (AppProcess recovering = AppProcess.start(env, rig.jobConfig(true))
                    .awaitReady(Duration.ofSeconds(60))) {
                JsonNode run = awaitRun(recovering, id, Duration.ofSeconds(40), "the dead run's compensation",
                        r -> "scaled back".equals(r.path("result").path("compensation").path("status").asText()));

                assertEquals("ABANDONED", run.get("state").asText(), run.toString());
                JsonNode compensation = run.get("result").get("compensation");
                assertTrue(compensation.get("by").asText().startsWith("recovery on instance"), compensation.toString());
                assertTrue(compensation.get("command_stopped").asBoolean(), compensation.toString());
                assertEquals("node-1", compensation.get("node_name").asText());
                assertTrue(run.get("error").asText().contains("compensated after the run ended"), run.toString());
                rig.assertRegistryBack(); // among others: not scaled up while garbage-collect still ran
                assertEquals(List.of("1->0", "0->1"), rig.scaleEvents);
                assertIntentClosed(pg, database, id);
            }
        }
    }

    private static void assertIntentClosed(PostgresServer pg, String database, long runId) throws Exception {
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT closed_at, outcome, command_marker FROM maintenance_intents "
                        + "WHERE run_id = " + runId)) {
            assertTrue(rs.next(), "an intent was written for run " + runId);
            assertTrue(rs.getTimestamp(1) != null, "closed");
            assertTrue(rs.getString(2).startsWith("scaled back to 1 by recovery on instance"), rs.getString(2));
            assertTrue(rs.getString(3).startsWith("ncj-maintenance-"), rs.getString(3));
            assertFalse(rs.next(), "one intent per run");
        }
    }
}
