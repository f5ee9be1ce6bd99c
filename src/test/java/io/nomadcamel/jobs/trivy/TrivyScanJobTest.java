package io.nomadcamel.jobs.trivy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.FakeNomad;
import io.nomadcamel.jobs.testsupport.FakeTrivy;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The trivy-scan job as operators run it: the application as a process on a real PostgreSQL, the fake Nomad API
 * and the fake Trivy CLI (real reports, real error texts). One application serves every test; each test uses its
 * own image names.
 */
class TrivyScanJobTest {

    private static final String TOKEN = "trivy-api-token";
    private static final String TRIVY_TOKEN = "trivy-server-secret";
    private static final String SERVER = "http://127.0.0.1:4954";

    @RegisterExtension
    static final FakeNomad nomad = new FakeNomad();
    private static final FakeTrivy trivy = new FakeTrivy();
    private static final PostgresServer pg = PostgresServer.shared();
    private static ScanJobApp app;

    @BeforeAll
    static void startApp() {
        Map<String, String> env = new LinkedHashMap<>(trivy.env());
        env.put("DB_URL", pg.createDatabase("trivy_job"));
        env.put("DB_USER", pg.user());
        env.put("API_TOKEN", TOKEN);
        env.put("NOMAD_ADDR", nomad.url());
        env.put("NOMAD_RETRY_BACKOFF", "50ms");
        env.put("TRIVY_SERVER_ADDR", SERVER);
        env.put("TRIVY_TOKEN", TRIVY_TOKEN);
        env.put("SCANS_RETRY_BACKOFF", "50ms");
        env.put("SCHEDULER_POLL_INTERVAL", "200ms");
        app = new ScanJobApp(AppProcess.start(env, "jobs.scan.type=trivy-scan\njobs.scan.timeout=2m\n"
                + "jobs.scan.input={\"concurrency\":3}\n").awaitReady(Duration.ofSeconds(60)), pg, "trivy_job", "scan",
                TOKEN);
    }

    @AfterAll
    static void stopApp() {
        if (app != null) {
            app.close();
        }
        trivy.close();
    }

    @BeforeEach
    void fresh() {
        nomad.reset();
        trivy.reset();
        nomad.addNode("n1", "10.0.0.1");
    }

    @Test
    void scansExactlyTheRunningDockerImagesNeverMoreThanConcurrencyAtOnce() throws Exception {
        nomad.addJob("web").group("web", 2).task("server", "docker", "t1/nginx:1.25")
                .task("envoy", "docker", "t1/envoy:1.29").group("cache", 1).task("redis", "docker", "t1/redis:7");
        nomad.placeAllocations("web", "n1"); // web twice, cache once
        nomad.addJob("api").group("api", 1).task("server", "docker", "t1/nginx:1.25").task("migrate", "exec")
                .task("api", "docker", "t1/api:7");
        nomad.runAllocation("api", "api", "n1");
        nomad.addJob("workers").group("w", 1).task("worker", "docker", "t1/worker:1").task("cron", "docker", "t1/cron:1")
                .group("db", 1).task("db", "docker", "t1/db:15");
        nomad.runAllocation("workers", "w", "n1");
        nomad.addJob("misc").group("m", 1).task("m", "docker", "t1/misc:1").task("agent", "raw_exec",
                Map.of("command", "/usr/bin/agent"));
        nomad.runAllocation("misc", "m", "n1");
        nomad.addJob("done").group("d", 1).task("d", "docker", "t1/old:1");
        nomad.addAllocation("done", "d", "n1", "complete");
        nomad.addJob("broken").group("b", 1).task("b", "docker", "t1/ghost:1");
        nomad.addAllocation("broken", "b", "n1", "failed");
        nomad.addJob("starting").group("s", 1).task("s", "docker", "t1/pending:1");
        nomad.addAllocation("starting", "s", "n1", "pending");
        nomad.addJob("podman").group("p", 1).task("p", "podman", "t1/podman:1");
        nomad.runAllocation("podman", "p", "n1");
        List<String> expected = List.of("t1/api:7", "t1/cron:1", "t1/db:15", "t1/envoy:1.29", "t1/misc:1",
                "t1/nginx:1.25", "t1/redis:7", "t1/worker:1");
        for (String image : expected) {
            if (!image.equals("t1/misc:1")) { // misc:1 stays unknown to the registry
                trivy.answer(image, "alpine-39.json.golden");
            }
        }
        trivy.scanTakes(Duration.ofMillis(400));

        JsonNode run = app.awaitEnd(app.trigger(null));

        assertEquals("SUCCEEDED", run.path("state").asText(), run.toString());
        List<FakeTrivy.Call> calls = trivy.calls();
        assertEquals(expected, calls.stream().map(FakeTrivy.Call::image).sorted().toList(),
                "each running docker image exactly once");
        assertEquals(3, trivy.maxConcurrent(), "at most concurrency=3 at once, and really in parallel");
        for (FakeTrivy.Call call : calls) {
            assertEquals("image --server " + SERVER + " --format json --timeout 10m --scanners vuln " + call.image(),
                    call.args());
            assertEquals(TRIVY_TOKEN, call.token(), "the token reaches Trivy through its environment");
        }
        JsonNode result = run.path("result");
        assertEquals(8, result.path("images_total").asInt(), result.toString());
        assertEquals(7, result.path("scanned").asInt());
        assertEquals(1, result.path("failed").asInt());
        assertEquals(1, result.path("by_status").path("pull_failed").asInt());
        assertEquals(14, result.path("totals").path("critical").asInt(), "7 × alpine:3.9's 2 CRITICAL");
        assertEquals(28, result.path("totals").path("medium").asInt());
        assertEquals(7, result.path("first_scans").asInt());
        assertEquals("t1/misc:1", result.path("failures").get(0).path("image").asText());
        assertEquals(8, app.scans(run.path("id").asLong()).size(), "one stored scan per image");
        assertFalse(run.toString().contains(TRIVY_TOKEN));
        assertFalse(app.app.output().contains(TRIVY_TOKEN), "the token is in no log");
    }

    @Test
    void everyClassificationIsStoredAndAFlakyServerSucceedsAfterRetries() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("t2/ok:1", "success");
        cases.put("t2/clean:1", "success");
        cases.put("t2/flaky:1", "success");
        cases.put("t2/missing:1", "pull_failed");
        cases.put("t2/unauthorized:1", "pull_failed");
        cases.put("t2/server-down:1", "error");
        cases.put("t2/registry-timeout:1", "error");
        cases.put("t2/bad-route:1", "error");
        cases.put("t2/garbage:1", "parse_failed");
        runningImages("t2", cases.keySet());
        trivy.answer("t2/ok:1", "alpine-39.json.golden")
                .answer("t2/clean:1", "sl-micro-rancher5.4.json.golden")
                .answer("t2/flaky:1", "alpine-310.json.golden").refuse("t2/flaky:1", 2)
                .fail("t2/missing:1", "manifest-unknown.stderr", 1)
                .fail("t2/unauthorized:1", "image-not-found-v052.stderr", 1)
                .answer("t2/server-down:1", "alpine-39.json.golden").refuse("t2/server-down:1", 100)
                .fail("t2/registry-timeout:1", "registry-timeout.stderr", 1)
                .fail("t2/bad-route:1", "server-bad-route.stderr", 1)
                .answerJson("t2/garbage:1", "{\"SchemaVersion\": 2, \"Results\": [")
                .scanTakes(Duration.ofMillis(20));
        double failuresBefore = app.metric("ncj_trivy_scan_failures_total", "pull_failed");

        JsonNode run = app.awaitEnd(app.trigger("{\"concurrency\":4}"));

        assertEquals("SUCCEEDED", run.path("state").asText(), "per-image failures are results: " + run);
        Map<String, ScanJobApp.ScanRow> rows = new LinkedHashMap<>();
        app.scans(run.path("id").asLong()).forEach(r -> rows.put(r.image(), r));
        cases.forEach((image, status) -> assertEquals(status, rows.get(image).status(), image + ": " + rows));
        Map<String, Integer> attempts = Map.of("t2/ok:1", 1, "t2/flaky:1", 3, "t2/missing:1", 1,
                "t2/unauthorized:1", 1, "t2/server-down:1", 4, "t2/registry-timeout:1", 4, "t2/bad-route:1", 1,
                "t2/garbage:1", 1);
        attempts.forEach((image, n) -> {
            assertEquals(n, rows.get(image).attempts(), image);
            assertEquals(n, trivy.calls(image).size(), image + " ran " + n + " times");
        });
        assertTrue(rows.get("t2/missing:1").error().contains("MANIFEST_UNKNOWN"), rows.get("t2/missing:1").error());
        assertTrue(rows.get("t2/server-down:1").error().startsWith("gave up after 4 attempts")
                && rows.get("t2/server-down:1").error().contains("connection refused"));
        assertTrue(rows.get("t2/garbage:1").error().contains("invalid JSON"), rows.get("t2/garbage:1").error());
        assertTrue(rows.get("t2/bad-route:1").error().contains("bad_route"));
        assertEquals("2/0/4/0", rows.get("t2/ok:1").counts());
        assertEquals("0/0/4/0", rows.get("t2/flaky:1").counts());
        assertEquals("0/0/0/0", rows.get("t2/clean:1").counts());
        assertEquals(null, rows.get("t2/missing:1").counts(), "unknown, not zero");
        List<String> okFindings = app.findings(rows.get("t2/ok:1").id());
        assertEquals(6, okFindings.size(), "one row per vulnerability per package");
        assertEquals(2, okFindings.stream().filter(f -> f.endsWith("CRITICAL")).count());
        assertEquals(3, okFindings.stream().map(f -> f.split(" ")[0]).distinct().count());

        JsonNode result = run.path("result");
        assertEquals(9, result.path("images_total").asInt());
        assertEquals(3, result.path("scanned").asInt());
        assertEquals(6, result.path("failed").asInt());
        assertEquals(2.0, app.metric("ncj_trivy_scan_failures_total", "pull_failed") - failuresBefore,
                "a metric counts the failed images");
    }

    @Test
    void rescanningReportsExactlyTheNewAndFixedFindingsThroughTheApi() throws Exception {
        runningImages("t3", List.of("t3/shop:1", "t3/steady:1"));
        trivy.answer("t3/shop:1", "debian-buster.json.golden").answer("t3/steady:1", "alpine-39.json.golden")
                .scanTakes(Duration.ofMillis(20));
        assertEquals("SUCCEEDED", app.awaitEnd(app.trigger(null)).path("state").asText());
        // the image loses bash's CVE-2019-18276 (LOW) and gains activesupport's CVE-2020-8165 (HIGH)
        trivy.answer("t3/shop:1", "fluentd-gems.json.golden");
        JsonNode second = app.awaitEnd(app.trigger(null));
        assertEquals("SUCCEEDED", second.path("state").asText());
        assertEquals(1, second.path("result").path("new_high").asInt(), second.toString());
        assertEquals(0, second.path("result").path("new_critical").asInt());
        assertEquals("t3/shop:1 CVE-2020-8165", second.path("result").path("new_findings").get(0).path("image")
                .asText() + " " + second.path("result").path("new_findings").get(0).path("vuln_id").asText());

        JsonNode shop = app.get("/api/scans/t3/shop:1");
        assertEquals(List.of("CVE-2020-8165 activesupport HIGH"), ScanJobApp.describe(shop.path("new")));
        assertEquals(List.of("CVE-2019-18276 bash LOW"), ScanJobApp.describe(shop.path("fixed")));
        assertEquals(List.of("CVE-2019-18224 libidn2-0 CRITICAL", "CVE-2020-8165 activesupport HIGH"),
                ScanJobApp.describe(shop.path("vulnerabilities")));
        assertEquals(shop, app.get("/api/scans/" + URLEncoder.encode("t3/shop:1", StandardCharsets.UTF_8)),
                "the image may be percent-encoded");
        JsonNode steady = app.get("/api/scans/t3/steady:1");
        assertEquals(0, steady.path("new").size());
        assertEquals(0, steady.path("fixed").size());

        Map<String, JsonNode> list = app.listed("t3/");
        assertEquals(1, list.get("t3/shop:1").path("new_count").asInt());
        assertEquals(1, list.get("t3/shop:1").path("fixed_count").asInt());
        assertEquals(1, list.get("t3/shop:1").path("new_high").asInt());
        assertEquals(1, list.get("t3/shop:1").path("counts").path("critical").asInt());
        assertEquals(0, list.get("t3/steady:1").path("new_count").asInt());

        // the image disappears from the registry: the latest scan says so, the last good one stays readable
        trivy.fail("t3/shop:1", "manifest-unknown.stderr", 1);
        assertEquals("SUCCEEDED", app.awaitEnd(app.trigger(null)).path("state").asText());
        JsonNode failed = app.listed("t3/").get("t3/shop:1");
        assertEquals("pull_failed", failed.path("status").asText());
        assertTrue(failed.path("counts").isNull());
        assertEquals(1, failed.path("last_success").path("counts").path("high").asInt(), failed.toString());
        assertEquals(ScanJobApp.describe(shop.path("new")), ScanJobApp.describe(app.get("/api/scans/t3/shop:1").path("new")));
        JsonNode affected = app.get("/api/scans?vulnerability=CVE-2020-8165");
        assertEquals(List.of("t3/shop:1"), ScanJobApp.names(affected, "t3/"));
        for (String bad : List.of("/api/scans/t3%00shop:1", "/api/scans?vulnerability=CVE%00")) {
            java.net.http.HttpResponse<String> refused = AppProcess.get(app.app.url(bad));
            assertEquals(400, refused.statusCode(), bad + ": " + refused.body());
            assertTrue(refused.body().contains("control character"), refused.body());
        }
    }

    @Test
    void aDiscoveryFailureFailsTheRunAndScansNothing() throws Exception {
        runningImages("t4", List.of("t4/app:1"));
        nomad.failNext("GET", "/v1/allocations", 4, 500, "rpc error: No cluster leader");
        JsonNode run = app.awaitEnd(app.trigger(null));
        assertEquals("FAILED", run.path("state").asText());
        assertTrue(run.path("error").asText().contains("No cluster leader"), run.toString());
        assertEquals(List.of(), trivy.calls());
        assertEquals(List.of(), app.scans(run.path("id").asLong()));
    }

    @Test
    void stoppingTheRunKillsItsTrivyProcesses() throws Exception {
        runningImages("t5", List.of("t5/a:1", "t5/b:1", "t5/c:1"));
        trivy.scanTakes(Duration.ofSeconds(60));
        long id = app.trigger("{\"concurrency\":2}");
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (trivy.calls().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(2, trivy.calls().size(), "two scans running");
        assertEquals(202, app.app.api("POST", "/api/runs/" + id + "/stop", null, TOKEN).statusCode());
        JsonNode run = app.awaitEnd(id);
        assertEquals("CANCELLED", run.path("state").asText(), run.toString());
        Thread.sleep(300);
        for (FakeTrivy.Call call : trivy.calls()) {
            assertFalse(ProcessHandle.of(call.pid()).map(ProcessHandle::isAlive).orElse(false),
                    "trivy " + call.image() + " was killed");
        }
        assertEquals(2, trivy.calls().size(), "the third image never started");
    }

    /** One job per image, each with a running allocation. */
    private static void runningImages(String prefix, Iterable<String> images) {
        int n = 0;
        for (String image : images) {
            String job = prefix + "-job-" + n++;
            nomad.addJob(job).group("g", 1).task("t", "docker", image);
            nomad.runAllocation(job, "g", "n1");
        }
    }
}
