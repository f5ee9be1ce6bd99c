package io.nomadcamel.jobs.registrygc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.FakeDocker;
import io.nomadcamel.jobs.testsupport.FakeNomad;
import io.nomadcamel.jobs.testsupport.FakeNomadAllocation;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.Programs;
import io.nomadcamel.jobs.testsupport.RegistryServer;
import io.nomadcamel.jobs.testsupport.SshdServer;
import io.nomadcamel.jobs.testsupport.TempDirs;

/**
 * The cluster a registry-gc run sees: a fake Nomad whose "registry" job (one group, count 1, on node-1 =
 * 127.0.0.1) really stops the docker-registry process when scaled to 0 and starts it when scaled to 1, a real sshd
 * on 127.0.0.1 for the node, and a stand-in for {@code REGISTRY_GC_COMMAND} ({@link #gcScript()}) whose behaviour
 * the test picks with {@link #gcMode}: {@code real} runs {@code docker-registry garbage-collect}, {@code bad-config}
 * makes the real one fail, {@code hang} ignores SIGTERM and never ends, {@code busy} never ends but dies on SIGTERM.
 *
 * <p>A fake docker CLI ({@link #docker}, DOCKER_BIN) runs the image {@code registry:3} as a container detached from
 * the caller, whose program is the same stand-in: {@link #containerCommand()} is the default command's shape.
 *
 * <p>Before every scale-up it checks that no garbage-collect process and no container runs (the job's promise):
 * violations are collected for {@link #assertRegistryBack()}. Scale events are noted in the fake docker's call log,
 * so that one file orders docker calls and scale-ups.
 */
final class RegistryGcRig implements AutoCloseable {

    static final String TOKEN = "registry-gc-token";
    static final ObjectMapper JSON = new ObjectMapper();

    final FakeNomad nomad = new FakeNomad();
    final RegistryServer registry = new RegistryServer();
    final SshdServer sshd = new SshdServer();
    final Path dir = TempDirs.create("registry-gc-rig");
    final FakeDocker docker = new FakeDocker(dir.resolve("fake-docker"));
    final List<String> scaleUpWhileGcRan = new CopyOnWriteArrayList<>();
    final List<String> scaleEvents = new CopyOnWriteArrayList<>();

    RegistryGcRig() throws Exception {
        registry.start();
        sshd.start();
        nomad.start();
        Path program = Programs.require("docker-registry", "docker-registry");
        Path script = gcScript();
        Files.writeString(script, String.join("\n",
                "#!/bin/sh",
                "# test stand-in for REGISTRY_GC_COMMAND: does what the file 'mode' beside it says",
                "mode=$(cat '" + dir.resolve("mode") + "' 2>/dev/null || echo real)",
                "case \"$mode\" in",
                "  real) exec '" + program + "' garbage-collect \"$@\" '" + registry.configPath() + "' ;;",
                "  bad-config) exec '" + program + "' garbage-collect \"$@\" '" + dir.resolve("no-such-config.yml")
                        + "' ;;",
                "  hang) trap '' TERM; echo \"$$\" > '" + dir.resolve("started") + "'; while :; do sleep 1; done ;;",
                "  busy) echo \"$$\" > '" + dir.resolve("started") + "'; while :; do sleep 1; done ;;",
                "esac",
                ""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        // the image's entry point: garbage-collect [flags] <config in the image> → the stand-in with the flags
        docker.image("registry:3", String.join("\n",
                "#!/bin/sh",
                "[ \"$1\" = garbage-collect ] && shift",
                "flags=''; for a; do case \"$a\" in --*) flags=\"$flags $a\" ;; esac; done",
                "exec '" + script + "' $flags",
                ""));
        resetCluster();
    }

    /** One small image, so that the registry has a repository to garbage-collect. */
    void seedImage() {
        registry.client().pushImage("apps/base", "1", io.nomadcamel.jobs.testsupport.RegistryClient.randomLayer(1024));
    }

    /** The registry job back to one running allocation on node-1, with the scale listener. */
    void resetCluster() throws IOException {
        nomad.reset();
        nomad.addNode("node-1", "127.0.0.1");
        nomad.addJob("registry").group("registry", 1).task("registry", "docker", "registry:3");
        if (!registry.running()) {
            registry.startProcess();
        }
        nomad.runAllocation("registry", "registry", "node-1");
        nomad.onScale("registry", (group, from, to) -> {
            scaleEvents.add(from + "->" + to);
            docker.note("nomad scale " + from + "->" + to);
            if (to == 0) {
                registry.stopProcess();
            } else {
                List<String> gc = gcProcesses();
                if (!gc.isEmpty() || !docker.running().isEmpty()) {
                    scaleUpWhileGcRan.add(from + "->" + to + " while running: " + gc + ", containers "
                            + docker.running());
                }
                registry.startProcess();
            }
        });
        docker.reset();
        scaleUpWhileGcRan.clear();
        scaleEvents.clear();
        gcMode("real");
        Files.deleteIfExists(dir.resolve("started"));
    }

    Path gcScript() {
        return dir.resolve("gc.sh");
    }

    /** {@code REGISTRY_GC_COMMAND} as the default (a named container), through the fake docker CLI. */
    String containerCommand() {
        return docker.cli() + " run --rm --name {container_name} -v {data_dir}:/var/lib/registry {image} "
                + "garbage-collect {flags} /etc/distribution/config.yml";
    }

    void gcMode(String mode) throws IOException {
        Files.writeString(dir.resolve("mode"), mode);
    }

    /** Processes of this rig's garbage collection: the stand-in script, or garbage-collect on this registry. */
    List<String> gcProcesses() {
        String script = gcScript().toString();
        String config = registry.configPath().toString();
        List<String> found = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            String line = p.info().commandLine().orElse("");
            if (line.contains(script) || (line.contains("garbage-collect") && line.contains(config))) {
                found.add(p.pid() + " " + line);
            }
        });
        return found;
    }

    /** The application's environment: this fake Nomad, this sshd as every node's SSH, quick timings. */
    Map<String, String> env(String gcCommand) {
        Map<String, String> env = new HashMap<>();
        env.put("NOMAD_ADDR", nomad.url());
        env.put("NOMAD_RETRY_BACKOFF", "100ms");
        env.put("SSH_KEY_PATH", sshd.userPrivateKey().toString());
        env.put("SSH_CERT_PATH", sshd.userCertificate().toString());
        env.put("SSH_HOST_CA_PATH", sshd.hostCaPublicKey().toString());
        env.put("SSH_PORT", String.valueOf(sshd.port()));
        env.put("SSH_USER", sshd.user());
        env.put("API_TOKEN", TOKEN);
        env.put("REGISTRY_GC_COMMAND", gcCommand);
        env.put("DOCKER_BIN", docker.cli().toString());
        env.put("MAINTENANCE_POLL_INTERVAL", "200ms");
        env.put("MAINTENANCE_RECOVERY_INTERVAL", "1s");
        env.put("MAINTENANCE_SCALE_BACK_BACKOFF", "200ms");
        env.put("MAINTENANCE_KILL_GRACE", "2s");
        env.put("MAINTENANCE_START_TIMEOUT", "20s");
        env.put("SCHEDULER_POLL_INTERVAL", "200ms");
        return env;
    }

    /**
     * {@link #env} on a fresh database {@code database} of the shared PostgreSQL, with a short lease: instances that
     * crash and restart (or take over) share it, as in production.
     */
    Map<String, String> envOnPostgres(String gcCommand, String database) {
        PostgresServer pg = PostgresServer.shared();
        Map<String, String> env = env(gcCommand);
        env.put("DB_URL", pg.createDatabase(database));
        env.put("DB_USER", pg.user());
        env.put("SCHEDULER_LEASE", "3s");
        return env;
    }

    /**
     * A job "gc" of type registry-gc on this registry's data dir, and "gc-other", the same on the same registry (as a
     * nightly job and an on-demand one would be): the two must never take the registry offline at once.
     */
    String jobConfig(boolean dryRun) {
        StringBuilder config = new StringBuilder();
        for (String id : List.of("gc", "gc-other")) {
            config.append("jobs.").append(id).append(".type=registry-gc\njobs.").append(id).append(".timeout=2m\n")
                    .append("jobs.").append(id).append(".input={\"job_name\":\"registry\",\"registry_data_dir\":\"")
                    .append(registry.dataDir()).append("\",\"registry_image\":\"registry:3\",\"dry_run\":")
                    .append(dryRun).append(",\"delete_untagged\":true}\n");
        }
        return config.toString();
    }

    static long trigger(AppProcess app, String override) throws IOException {
        return trigger(app, "gc", override);
    }

    static long trigger(AppProcess app, String job, String override) throws IOException {
        HttpResponse<String> r = app.api("POST", "/api/jobs/" + job + "/runs", override, TOKEN);
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("run_id").asLong();
    }

    static JsonNode run(AppProcess app, long id) throws IOException {
        HttpResponse<String> r = app.api("GET", "/api/runs/" + id, null, null);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** Waits until the run satisfies the condition, failing with the run and the app's output. */
    static JsonNode awaitRun(AppProcess app, long id, Duration timeout, String what, Predicate<JsonNode> condition)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode run = run(app, id);
        while (!condition.test(run)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; run: " + run + "\napp output tail:\n"
                        + tail(app.output(), 6000));
            }
            Thread.sleep(100);
            run = run(app, id);
        }
        return run;
    }

    static JsonNode awaitFinished(AppProcess app, long id, Duration timeout) throws Exception {
        return awaitRun(app, id, timeout, "run " + id + " to finish", r -> {
            String state = r.get("state").asText();
            return !state.equals("PENDING") && !state.equals("RUNNING");
        });
    }

    /** Waits until the stand-in GC script reports it hangs (mode hang). */
    void awaitGcHanging(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(dir.resolve("started"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the GC stand-in did not start within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    /** The job's promise: count 1, a running allocation, the registry answering, and no scale-up while GC ran. */
    void assertRegistryBack() {
        nomad.awaitScaling(Duration.ofSeconds(20));
        assertEquals(1, nomad.groupCount("registry", "registry"), "registry group count; scale events " + scaleEvents);
        List<FakeNomadAllocation> running = nomad.allocations("registry").stream()
                .filter(a -> a.clientStatus().equals("running") && a.desiredStatus().equals("run")).toList();
        assertEquals(1, running.size(), "one running allocation of the registry");
        assertTrue(registry.running(), "the docker-registry process runs");
        assertEquals(200, registry.client().ping(), "the registry serves /v2/");
        assertEquals(List.of(), scaleUpWhileGcRan, "scaled up while garbage-collect still ran");
        assertEquals(List.of(), gcProcesses(), "no garbage-collect left running");
    }

    /** ncj_maintenance_scale_back_failed{job="registry",group="registry"} from /observe/metrics. */
    static double scaleBackFailedGauge(AppProcess app) {
        String metrics = AppProcess.get(app.managementUrl("/observe/metrics")).body();
        return metrics.lines().filter(l -> l.startsWith("ncj_maintenance_scale_back_failed{")
                && l.contains("job=\"registry\"") && l.contains("group=\"registry\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no ncj_maintenance_scale_back_failed in:\n" + metrics));
    }

    /**
     * The fake docker's calls up to Nomad's first scale-up, which must have removed the container and seen it gone
     * ({@code docker inspect} after {@code docker rm -f}) before that scale-up: the order the job promises.
     */
    List<String> assertContainerGoneBeforeScaleUp(String container) {
        List<String> calls = docker.calls();
        int scaleUp = calls.indexOf("nomad scale 0->1");
        assertTrue(scaleUp > 0, "a scale-up was noted: " + calls);
        List<String> before = calls.subList(0, scaleUp);
        int removed = before.lastIndexOf("docker rm -f " + container);
        assertTrue(removed >= 0, "docker rm -f " + container + " before the scale-up: " + calls);
        assertTrue(before.subList(removed, before.size()).contains("docker inspect " + container),
                "docker inspect after docker rm -f, before the scale-up: " + calls);
        assertEquals(List.of(), docker.running(), "no container left");
        return calls;
    }

    static String tail(String text, int max) {
        return text.length() <= max ? text : text.substring(text.length() - max);
    }

    @Override
    public void close() {
        // a hanging stand-in left by a failed test must not outlive it
        gcProcesses().forEach(line -> ProcessHandle.of(Long.parseLong(line.substring(0, line.indexOf(' '))))
                .ifPresent(ProcessHandle::destroyForcibly));
        docker.close();
        nomad.stop();
        sshd.stop();
        registry.stop();
        TempDirs.delete(dir);
    }
}
