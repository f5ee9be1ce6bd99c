package io.nomadcamel.jobs.registrygc;

import static io.nomadcamel.jobs.registrygc.RegistryGcRig.awaitFinished;
import static io.nomadcamel.jobs.registrygc.RegistryGcRig.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An operator edits {@code registry-gc.camel.yaml} under the running application (route reloading) so that the
 * route no longer scales back: without its {@code doFinally}, without its {@code onCompletion} too, or with a
 * {@code stop} inside the {@code doTry}. A garbage collection that fails (the real {@code docker-registry
 * garbage-collect} on a missing config) or is skipped must still leave the registry running, scaled back by the
 * layer underneath: the route's onCompletion, else the run's end hook, within the run itself (not by recovery).
 */
class RegistryGcEditedRouteTest {

    private static final String FILE = "registry-gc.camel.yaml";
    private static RegistryGcRig rig;
    private static AppProcess app;
    private static Path routes;
    private static String original;

    @BeforeAll
    static void start() throws Exception {
        rig = new RegistryGcRig();
        rig.seedImage();
        routes = TempDirs.create("edited-routes");
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        original = Files.readString(routes.resolve(FILE));
        Map<String, String> env = rig.env(rig.gcScript() + " {flags}");
        env.put("ROUTES_INCLUDE", "file:" + routes + "/*.camel.yaml");
        env.put("ROUTES_RELOAD_DIRECTORY", routes.toString());
        env.put("ROUTES_RELOAD_INTERVAL", "300ms");
        app = AppProcess.start(env, rig.jobConfig(true)).awaitReady(Duration.ofSeconds(60));
        // ready can come before the watcher's first look, which takes the files as they are then without reloading
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!app.output().contains("for route changes every")) {
            assertTrue(System.nanoTime() < deadline, "the route file watcher did not start");
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (rig != null) {
            rig.close();
        }
        TempDirs.delete(routes);
    }

    @BeforeEach
    void freshCluster() throws Exception {
        rig.resetCluster();
    }

    @Test
    void withoutItsDoFinallyTheRoutesOnCompletionScalesBack() throws Exception {
        reload(withoutBlock(original, "doFinally:"));
        rig.gcMode("bad-config");

        long id = trigger(app, null);
        JsonNode run = awaitFinished(app, id, Duration.ofSeconds(60));

        assertEquals("FAILED", run.get("state").asText(), run.toString());
        assertTrue(run.get("error").asText().contains("exited with 1"), run.toString());
        JsonNode compensation = run.get("result").get("compensation");
        assertEquals("scaled back", compensation.get("status").asText(), run.toString());
        assertEquals("run " + id, compensation.get("by").asText(), "the onCompletion step, inside the run");
        rig.assertRegistryBack();
        assertEquals(List.of("1->0", "0->1"), rig.scaleEvents);
    }

    @Test
    void withoutDoFinallyAndOnCompletionTheRunsEndHookScalesBackAFailedGc() throws Exception {
        reload(withoutBlock(withoutBlock(original, "doFinally:"), "- onCompletion:"));
        rig.gcMode("bad-config");

        long id = trigger(app, null);
        JsonNode run = awaitFinished(app, id, Duration.ofSeconds(60));

        assertEquals("FAILED", run.get("state").asText(), run.toString());
        String error = run.get("error").asText();
        assertTrue(error.contains("exited with 1") && error.contains("configuration error"), error);
        JsonNode compensation = run.get("result").get("compensation");
        assertEquals("scaled back", compensation.get("status").asText(), run.toString());
        assertTrue(compensation.get("by").asText().startsWith("run " + id + " (end hook"), compensation.toString());
        assertTrue(compensation.get("command_stopped").asBoolean(), "the GC was checked gone first: " + compensation);
        assertTrue(app.output().contains("Run " + id + " ended with registry/registry still offline"),
                "the end hook says the route did not scale back");
        rig.assertRegistryBack();
        assertEquals(List.of("1->0", "0->1"), rig.scaleEvents);
    }

    @Test
    void aStopInsideTheDoTryStillEndsWithTheRegistryScaledBack() throws Exception {
        String edited = withoutBlock(withoutBlock(original, "doFinally:"), "- onCompletion:");
        reload(withStopAfterScaleDown(edited));

        long id = trigger(app, null);
        JsonNode run = awaitFinished(app, id, Duration.ofSeconds(60));

        JsonNode compensation = run.get("result").get("compensation");
        assertEquals("scaled back", compensation.get("status").asText(), run.toString());
        assertTrue(compensation.get("by").asText().startsWith("run " + id + " (end hook"), compensation.toString());
        assertFalse(run.get("result").has("command_exit"), "the stop came before the GC: " + run);
        rig.assertRegistryBack();
        assertEquals(List.of("1->0", "0->1"), rig.scaleEvents);
    }

    /** Writes the edited file and waits until the application has reloaded it. */
    private static void reload(String yaml) throws Exception {
        String marker = "Route file " + FILE + " reloaded";
        int before = count(app.output(), marker);
        Files.writeString(routes.resolve(FILE), yaml);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (count(app.output(), marker) == before) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the edited route was not reloaded:\n" + RegistryGcRig.tail(app.output(),
                        4000));
            }
            Thread.sleep(100);
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /** The YAML without the block that starts with the line holding {@code key} (and everything indented deeper). */
    static String withoutBlock(String yaml, String key) {
        List<String> out = new ArrayList<>();
        int blockIndent = -1;
        boolean removed = false;
        for (String line : yaml.split("\n", -1)) {
            int indent = line.length() - line.stripLeading().length();
            if (blockIndent >= 0) {
                boolean inside = line.isBlank() || indent > blockIndent
                        || (line.stripLeading().startsWith("#") && indent >= blockIndent);
                if (inside) {
                    continue;
                }
                blockIndent = -1;
            }
            if (!removed && line.stripLeading().startsWith(key)) {
                blockIndent = indent;
                removed = true;
                continue;
            }
            out.add(line);
        }
        assertTrue(removed, "the route file has no " + key + " block to remove");
        return String.join("\n", out) + "\n";
    }

    /** A {@code stop} step right after the scale-down, at its indentation. */
    static String withStopAfterScaleDown(String yaml) {
        Matcher m = Pattern.compile("(?m)^([ ]*)- bean:\\n[ ]*id: registry-gc-scale-down\\n(\\1 .*\\n)*").matcher(yaml);
        assertTrue(m.find(), "the route file has a registry-gc-scale-down step");
        String indent = m.group(1);
        return yaml.substring(0, m.end()) + indent + "- stop:\n" + indent + "    id: registry-gc-edited-stop\n"
                + yaml.substring(m.end());
    }
}
