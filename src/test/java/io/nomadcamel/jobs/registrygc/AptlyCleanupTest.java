package io.nomadcamel.jobs.registrygc;

import static io.nomadcamel.jobs.registrygc.RegistryGcRig.JSON;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.TOKEN;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitFinished;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.ssh.ShellQuoting;
import io.nomadcamel.jobs.testsupport.AppProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * routes/aptly-cleanup.camel.yaml, a job with no Java of its own, against the fake Nomad (job {@code aptly}, one group,
 * on node-1 = 127.0.0.1) and a real sshd: the job is scaled to 0, {@code aptly db cleanup} runs in its (fake docker)
 * container on the node against the data dir given as input (a name with a space and a quote: it must arrive as one
 * word), the dir is measured before and after, and aptly is scaled back, also when the command fails.
 *
 * <p>The image's stand-in checks that aptly is stopped while it runs (the flag file the scale listener keeps), and
 * deletes the unreferenced file it is told of, as {@code aptly db cleanup} deletes unreferenced package files.
 */
class AptlyCleanupTest {

    private static RegistryGcRig rig;
    private static AppProcess app;
    private static Path dataDir;
    private static final List<String> aptlyEvents = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        rig = new RegistryGcRig();
        dataDir = rig.dir.resolve("aptly data 'x'");
        Files.createDirectories(dataDir.resolve("db"));
        Path running = rig.dir.resolve("aptly-running");
        rig.docker.image("urpylka/aptly:1.6.2", String.join("\n",
                "#!/bin/sh",
                "[ \"$*\" = 'aptly db cleanup' ] || { echo \"unexpected arguments: $*\" >&2; exit 2; }",
                "[ -e '" + running + "' ] && { echo 'ERROR: aptly is still running: database locked' >&2; exit 3; }",
                "[ -e '" + rig.dir.resolve("fail") + "' ] && { echo 'ERROR: unable to open database: corrupt' >&2; "
                        + "exit 1; }",
                "echo 'Loading mirrors, local repos, snapshots and published repos...'",
                "echo 'Deleting unreferenced files (1)...'",
                "rm -f " + ShellQuoting.quote(dataDir.resolve("pool-orphan.deb").toString()),
                "echo 'Disk space freed: 64.00 KiB...'",
                "echo 'Compacting database...'",
                ""));
        Map<String, String> env = rig.env(rig.containerCommand());
        env.put("APTLY_CLEANUP_COMMAND", rig.docker.cli() + " run --rm --name {container_name} -v {data_dir}:/aptly "
                + "urpylka/aptly:1.6.2 aptly db cleanup");
        app = AppProcess.start(env, "jobs.aptly.type=aptly-cleanup\njobs.aptly.timeout=2m\njobs.aptly.input="
                + JSON.writeValueAsString(Map.of("data_dir", dataDir.toString())) + "\n")
                .awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (rig != null) {
            rig.close();
        }
    }

    @BeforeEach
    void aptlyRunsOnNode1() throws Exception {
        rig.resetCluster();
        aptlyEvents.clear();
        Path running = rig.dir.resolve("aptly-running");
        Files.writeString(running, "");
        Files.deleteIfExists(rig.dir.resolve("fail"));
        rig.nomad.addJob("aptly").group("aptly", 1).task("aptly", "docker", "urpylka/aptly:1.6.2");
        rig.nomad.runAllocation("aptly", "aptly", "node-1");
        rig.nomad.onScale("aptly", (group, from, to) -> {
            aptlyEvents.add(from + "->" + to);
            rig.docker.note("nomad scale " + from + "->" + to); // the rig reads this note
            if (to == 0) {
                Files.deleteIfExists(running);
            } else {
                if (!rig.docker.running().isEmpty()) {
                    aptlyEvents.add("scaled up while containers ran: " + rig.docker.running());
                }
                Files.writeString(running, "");
            }
        });
        Files.write(dataDir.resolve("pool-orphan.deb"), new byte[64 * 1024]);
        Files.write(dataDir.resolve("db").resolve("000001.ldb"), new byte[4096]);
    }

    @Test
    void stopsAptlyRunsTheCleanupOnItsNodeMeasuresAndScalesBack() throws Exception {
        long id = trigger(app, "aptly", null);
        JsonNode run = awaitFinished(app, id, Duration.ofSeconds(90));

        assertEquals("SUCCEEDED", run.get("state").asText(), run.toString());
        JsonNode result = run.get("result");
        assertEquals("node-1", result.get("node_name").asText(), result.toString());
        assertEquals(dataDir.toString(), result.get("data_dir").asText());
        assertEquals(0, result.get("command_exit").asInt());
        assertTrue(result.get("output").asText().contains("Compacting database..."), result.toString());
        assertFalse(Files.exists(dataDir.resolve("pool-orphan.deb")), "the cleanup reached the data dir");
        long before = result.get("before_bytes").asLong();
        long after = result.get("after_bytes").asLong();
        assertTrue(before - after >= 64 * 1024, "measured before and after: " + result);
        assertEquals(before - after, result.get("bytes_freed").asLong());
        assertEquals("scaled back", result.get("compensation").get("status").asText(), result.toString());
        assertEquals(List.of("1->0", "0->1"), aptlyEvents);
        rig.assertContainerGoneBeforeScaleUp(result.get("container_name").asText());
        assertEquals(1, rig.nomad.groupCount("aptly", "aptly"));
        assertEquals(List.of(), rig.scaleEvents, "the registry was not touched");
        JsonNode scaleDown = JSON.readTree(rig.nomad.requests("POST", "/v1/job/aptly/scale").get(0).body());
        assertTrue(scaleDown.get("Message").asText().contains("(aptly-cleanup)"), scaleDown.toString());
    }

    @Test
    void aFailingCleanupFailsTheRunAndStillScalesAptlyBack() throws Exception {
        Files.writeString(rig.dir.resolve("fail"), "");
        long id = trigger(app, "aptly", null);
        JsonNode run = awaitFinished(app, id, Duration.ofSeconds(90));

        assertEquals("FAILED", run.get("state").asText(), run.toString());
        String error = run.get("error").asText();
        assertTrue(error.contains("exited with 1") && error.contains("unable to open database"), error);
        assertEquals(List.of("1->0", "0->1"), aptlyEvents);
        assertEquals(1, rig.nomad.groupCount("aptly", "aptly"));
        assertEquals(List.of(), rig.docker.running(), "no container left");
        assertTrue(Files.exists(dataDir.resolve("pool-orphan.deb")), "nothing was cleaned");
    }

    @Test
    void badInputIsRefusedAtTheDoorNamingTheFieldAndNothingIsScaled() throws Exception {
        HttpResponse<String> r = app.api("POST", "/api/jobs/aptly/runs", "{\"data_dir\":\"../aptly\"}", TOKEN);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("data_dir"), r.body());
        r = app.api("POST", "/api/jobs/aptly/runs", "{\"command\":\"rm -rf /\"}", TOKEN);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("command"), r.body());
        assertEquals(List.of(), rig.nomad.requests("POST", "/v1/job/aptly/scale"));

        JsonNode types = JSON.readTree(app.api("GET", "/api/job-types", null, null).body());
        JsonNode aptly = null;
        for (JsonNode t : types) {
            if (t.get("type").asText().equals("aptly-cleanup")) {
                aptly = t;
            }
        }
        assertTrue(aptly != null, types.toString());
        assertEquals("/mnt/gdrive/aptly", aptly.at("/input_schema/properties/data_dir/default").asText(), aptly.toString());
        assertEquals("aptly", aptly.at("/input_schema/properties/job_name/default").asText());

        JsonNode weekly = JSON.readTree(app.api("GET", "/api/jobs/aptly-cleanup-weekly", null, null).body());
        assertFalse(weekly.get("enabled").asBoolean(), weekly.toString());
        assertEquals("cleanup", weekly.get("queue").asText());
        assertTrue(weekly.get("ready").asBoolean(), "this instance has Nomad and SSH: " + weekly);
    }
}
