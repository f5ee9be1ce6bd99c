package io.nomadcamel.jobs.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.ChromiumBrowser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The operator's console in real Chromium against the application as a child process: it loads, triggers a job and
 * shows the run going from RUNNING to SUCCEEDED, stops a long run, pauses and resumes a schedule, and shows the
 * server's own 400 and 401 messages. Screenshots go to target/screenshots/ for a person to look at.
 */
class ConsoleBrowserTest {

    private static final String TOKEN = "console-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARKUP_ERROR = "<b>bold</b><img src=x onerror=alert(1)> failed";
    private static final Pattern RUN_URL = Pattern.compile("#/runs/(\\d+)$");

    private static AppProcess app;
    private static ChromiumBrowser browser;

    @BeforeAll
    static void start() throws Exception {
        String config = String.join("\n",
                "jobs.quick.type = test-sleep", "jobs.quick.mode = one-shot", "jobs.quick.input = {\"sleep_ms\": 100}",
                "jobs.long.type = test-sleep", "jobs.long.mode = one-shot", "jobs.long.timeout = 10m",
                "jobs.long.input = {\"sleep_ms\": 600000}",
                "jobs.tick.type = test-sleep", "jobs.tick.every = 1h",
                "jobs.broken.type = test-fail", "jobs.broken.mode = one-shot",
                "jobs.broken.input = " + JSON.writeValueAsString(Map.of("message", MARKUP_ERROR)),
                "jobs.nodes.type = node-cleanup", "jobs.nodes.mode = one-shot", "jobs.nodes.input = {\"grace_days\": 3}",
                "");
        // no PG_HOST: the shipped backup-daily cannot work here, and the console must say so
        app = AppProcess.start(Map.of("API_TOKEN", TOKEN, "PG_HOST", ""), config);
        browser = ChromiumBrowser.start();
        app.awaitReady(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (app != null) {
                app.close();
            }
        }
    }

    @Test
    void servesThePageAndItsOwnFilesOnly() {
        HttpResponse<String> page = AppProcess.get(app.url("/"));
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
        assertEquals("text/javascript; charset=utf-8",
                AppProcess.get(app.url("/static/app.js")).headers().firstValue("Content-Type").orElse(""));
        assertEquals("text/css; charset=utf-8",
                AppProcess.get(app.url("/static/app.css")).headers().firstValue("Content-Type").orElse(""));
        for (String path : new String[] {"/static/..%2Fversion.properties", "/static/%2e%2e%2fversion.properties",
                "/static/version.properties", "/static/.app.js", "/static/log4j2.xml", "/static/", "/index.html",
                "/static/web%2Fapp.js"}) {
            assertEquals(404, AppProcess.get(app.url(path)).statusCode(), path);
        }
    }

    @Test
    void loadsWithTheJobsTheirSchedulesAndThePanels() {
        browser.open(app.url("/"));
        // a fresh tab: no token from an earlier test
        browser.driver().executeScript("sessionStorage.clear()");
        browser.driver().navigate().refresh();
        browser.await("the jobs table", () -> browser.all("#jobs-table tr[data-job]").size() >= 4);
        assertEquals("one-shot", browser.text("tr[data-job='quick'] td:nth-child(3)"));
        assertTrue(browser.text("tr[data-job='tick'] td:nth-child(4)").contains("every 1h"));
        assertTrue(browser.text("tr[data-job='tick'] td.next-run").contains("UTC"),
                "a recurring job shows its next run");
        assertEquals("Pause", browser.text("tr[data-job='tick'] button.pause"));
        assertTrue(browser.all("tr[data-job='quick'] button.pause").isEmpty(), "a one-shot job has no schedule");
        browser.await("the scans panel", () -> browser.text("#scans").contains("No scan data."));
        browser.await("the backups panel", () -> !browser.text("#backups").contains("Loading"));
        assertFalse(browser.text("#backups").contains("cannot read"), browser.text("#backups"));
        assertTrue(browser.text("footer").contains("nomad-camel-jobs"), "version line");
        assertEquals("no token: read only", browser.text("#token-state"));
        assertEquals(List.of(), browser.consoleErrors(), "no script error or refused resource");
    }

    @Test
    void triggersAJobWithInputAndFollowsItsRunToSucceeded() throws Exception {
        useToken(TOKEN);
        openRunBox("quick");
        browser.driver().findElement(By.id("trigger-input")).sendKeys("{\"sleep_ms\": 3000}");
        browser.click("#trigger-run");
        long runId = awaitRunPage();
        browser.await("the run RUNNING with its progress", () -> "RUNNING".equals(state())
                && browser.text("#run-progress").contains("sleeping 3000 ms"));
        assertTrue(browser.text("#run").contains("refreshing every second"));
        browser.await("the run SUCCEEDED without a reload", Duration.ofSeconds(20), () -> "SUCCEEDED".equals(state()));
        assertTrue(browser.text("#run-result").contains("\"slept_ms\": 3000"), browser.text("#run-result"));
        assertTrue(browser.text("#run-input").contains("\"sleep_ms\": 3000"), browser.text("#run-input"));
        browser.screenshot("console-run-succeeded");

        JsonNode run = JSON.readTree(app.api("GET", "/api/runs/" + runId, null, null).body());
        assertEquals("SUCCEEDED", run.path("state").asText(), "the console started a real run");
        assertEquals("api", run.path("trigger").asText());
        assertEquals(3000, run.path("input").path("sleep_ms").asInt());

        browser.click("#nav-jobs");
        browser.await("the job's last run", () -> browser.text("tr[data-job='quick'] td.last-run")
                .contains("SUCCEEDED #" + runId));
        browser.click("#nav-runs");
        browser.await("the run in the history", () -> !browser.all("#runs-table tr[data-run='" + runId + "']")
                .isEmpty());
    }

    @Test
    void stopsALongRun() throws Exception {
        useToken(TOKEN);
        openRunBox("long");
        browser.click("#trigger-run");
        long runId = awaitRunPage();
        browser.await("the long run RUNNING", () -> "RUNNING".equals(state()));
        browser.click("#run button.stop");
        assertTrue(browser.acceptDialog().contains("Stop run " + runId), "the operator confirms the stop");
        browser.await("the run CANCELLED", Duration.ofSeconds(20), () -> "CANCELLED".equals(state()));
        assertTrue(browser.all("#run button.stop").isEmpty(), "no stop button on a finished run");
        browser.screenshot("console-run-cancelled");
        JsonNode run = JSON.readTree(app.api("GET", "/api/runs/" + runId, null, null).body());
        assertEquals("CANCELLED", run.path("state").asText());
    }

    @Test
    void pausesAndResumesASchedule() throws Exception {
        useToken(TOKEN);
        browser.click("tr[data-job='tick'] button.pause");
        browser.await("tick paused", () -> browser.text("tr[data-job='tick'] td.status").contains("paused")
                && browser.text("tr[data-job='tick'] td.next-run").equals("—")
                && browser.text("tr[data-job='tick'] button.pause").equals("Resume"));
        assertTrue(job("tick").path("paused").asBoolean(), "paused on the server");
        browser.screenshot("console-jobs-paused");
        browser.click("tr[data-job='tick'] button.pause");
        browser.await("tick resumed", () -> browser.text("tr[data-job='tick'] td.status").contains("active")
                && browser.text("tr[data-job='tick'] td.next-run").contains("UTC"));
        assertFalse(job("tick").path("paused").asBoolean(), "resumed on the server");
    }

    @Test
    void showsTheServers400ForInputThatIsNotAnObjectAndSendsNoInvalidJson() throws Exception {
        useToken(TOKEN);
        int runsBefore = runs("quick");
        String serverMessage = JSON.readTree(app.api("POST", "/api/jobs/quick/runs", "[1, 2]", TOKEN).body())
                .path("error").asText();
        assertFalse(serverMessage.isBlank());

        openRunBox("quick");
        browser.driver().findElement(By.id("trigger-input")).sendKeys("[1, 2]");
        browser.click("#trigger-run");
        browser.await("the server's 400 message", () -> browser.text("#message").contains("HTTP 400: " + serverMessage));
        browser.screenshot("console-bad-input");

        WebElement input = browser.driver().findElement(By.id("trigger-input"));
        input.clear();
        input.sendKeys("{\"sleep_ms\": ");
        browser.click("#trigger-run");
        browser.await("the client's JSON message", () -> browser.text("#message").contains("not valid JSON")
                && browser.text("#message").contains("nothing was sent"));
        assertEquals(runsBefore, runs("quick"), "neither input started a run");
        assertFalse(browser.driver().getCurrentUrl().contains("#/runs"), "still on the jobs page");
    }

    @Test
    void showsThe401OfAWrongTokenAndKeepsTheTokenOutOfTheUrl() throws Exception {
        useToken("not-the-token");
        browser.click("tr[data-job='tick'] button.pause");
        browser.await("the 401 message", () -> browser.text("#message")
                .contains("HTTP 401: missing or wrong bearer token"));
        assertFalse(job("tick").path("paused").asBoolean(), "nothing changed");
        assertFalse(browser.driver().getCurrentUrl().contains("not-the-token"));
        assertFalse(browser.bodyText().contains("not-the-token"), "the token is not shown on the page");
        browser.click("#token-forget");
        assertEquals("no token: read only", browser.text("#token-state"));
        assertEquals(null, browser.driver().executeScript("return sessionStorage.getItem('ncj.apiToken')"));
    }

    @Test
    void showsErrorsAndResultsAsTextNeverAsMarkup() throws Exception {
        HttpResponse<String> trigger = app.api("POST", "/api/jobs/broken/runs", null, TOKEN);
        assertEquals(202, trigger.statusCode(), trigger.body());
        long runId = JSON.readTree(trigger.body()).path("run_id").asLong();
        browser.open(app.url("/#/runs/" + runId));
        browser.await("the failed run", () -> "FAILED".equals(state()));
        assertEquals(MARKUP_ERROR, browser.text("#run-error"));
        assertTrue(browser.text("#run").contains("Partial result"));
        assertTrue(browser.text("#run-result").contains("done_before_failure"));
        assertTrue(browser.all("#view b, #view img").isEmpty(), "the error's markup was not parsed");
        assertFalse(browser.dialogOpen(), "no script from the data ran");

        browser.open(app.url("/#/runs?job=broken&state=FAILED"));
        browser.await("the filtered history", () -> !browser.all("#runs-table tr[data-run='" + runId + "']")
                .isEmpty());
        for (WebElement row : browser.all("#runs-table tbody tr")) {
            assertTrue(row.getText().contains("broken") && row.getText().contains("FAILED"), row.getText());
        }
        assertEquals("broken", browser.driver().findElement(By.id("filter-job")).getAttribute("value"));
        assertTrue(browser.all("#view b, #view img").isEmpty());
        browser.screenshot("console-runs-filtered");
        assertEquals(List.of(), browser.consoleErrors(), "no script error or refused resource");
    }

    @Test
    void rendersBackupAndScanResultsFromTheirDocumentedFields() {
        browser.open(app.url("/"));
        browser.await("the page", () -> browser.all("#jobs-table").size() == 1);
        browser.driver().executeScript("""
                const backup = ncj.renderBackup('backup-daily', {id: 7, finished_at: '2025-01-02T03:04:05Z', result: {
                  nomad_snapshot: '/backups/nomad-snapshots/nomad-20250102030405.snap',
                  nomad_snapshot_s3_key: 'backups/nomad/nomad-20250102030405.snap',
                  consul_snapshot: '/backups/consul-snapshots/consul-20250102030405.snap',
                  postgres_globals: '/backups/postgres-backups/postgres-globals-20250102030405.sql.gz',
                  postgres_databases: [
                    {database: 'app<i>x</i>', bytes: 1572864, sha256: 'ab12cd34ef56'.repeat(5), verified: true},
                    {database: 'orders', bytes: null, sha256: null, verified: false, error: 'pg_dump: connection refused'}],
                  warnings: ['upload of backups/consul/consul-20250102030405.snap failed: quota exceeded']}});
                const scans = ncj.renderScans([
                  {image: 'alpine:3.9', status: 'success', scanned_at: '2025-01-02T03:04:05Z',
                   counts: {critical: 2, high: 0, medium: 4, low: 0, unknown: 0}, new_count: 1, fixed_count: 3},
                  {image: 'ghcr.io/x/<u>y</u>:1', status: 'pull_failed', error: 'manifest unknown',
                   scanned_at: '2025-01-02T03:04:05Z', counts: null, new_count: null, fixed_count: null}]);
                const box = document.createElement('div');
                box.id = 'samples';
                box.append(backup, scans);
                document.body.append(box);
                """);
        WebElement card = browser.driver().findElement(By.cssSelector("#samples .backup[data-job='backup-daily']"));
        String text = card.getText();
        assertTrue(text.contains("run 7 finished 2025-01-02 03:04:05 UTC"), text);
        assertEquals("/backups/nomad-snapshots/nomad-20250102030405.snap · s3: backups/nomad/nomad-20250102030405.snap",
                card.findElement(By.cssSelector("dd[data-field='nomad_snapshot']")).getText());
        assertEquals("/backups/postgres-backups/postgres-globals-20250102030405.sql.gz",
                card.findElement(By.cssSelector("dd[data-field='postgres_globals']")).getText());
        assertTrue(text.contains("app<i>x</i> 1.5 MiB ab12cd34ef56… verified"), text);
        assertTrue(text.contains("orders — — not verified pg_dump: connection refused"), text);
        assertTrue(text.contains("quota exceeded"), text);
        String scans = browser.text("#samples #scans-table");
        assertTrue(scans.contains("alpine:3.9 success 2025-01-02 03:04:05 UTC 2 0 4 0 0 1 3"), scans);
        assertTrue(scans.contains("ghcr.io/x/<u>y</u>:1 pull_failed"), scans);
        assertTrue(browser.all("#samples i, #samples u").isEmpty(), "names are text, not markup");
        browser.screenshot("console-panels-sample");
    }

    @Test
    void showsEachDatabasesNewestVerifiedDumpAndWhenFromTheDrillsRunsAndWhatNoBackupCovers() {
        browser.open(app.url("/"));
        browser.await("the page", () -> browser.all("#jobs-table").size() == 1);
        browser.driver().executeScript("""
                const drill = ncj.renderDrill('restore-drill-weekly', [
                  {id: 12, state: 'FAILED', result: {not_covered: ['new <b>db</b>'], databases: [
                    {database: 'shop', artifact: 'backups/postgres/shop/postgres-shop-20250105010000.dump',
                     verified_at: '2025-01-05T07:01:02Z'},
                    {database: 'orders', artifact: 'backups/postgres/orders/postgres-orders-20250105010000.dump',
                     verified_at: null, error: 'SHA-256 of ... differs'}]}},
                  {id: 11, state: 'SUCCEEDED', result: {not_covered: [], databases: [
                    {database: 'orders', artifact: 'backups/postgres/orders/postgres-orders-20241229010000.dump',
                     verified_at: '2024-12-29T07:03:04Z'}]}}]);
                const box = document.createElement('div');
                box.id = 'drill-sample';
                box.append(drill);
                document.body.append(box);
                """);
        String shop = browser.text("#drill-sample tr[data-database='shop']");
        assertEquals("shop backups/postgres/shop/postgres-shop-20250105010000.dump 2025-01-05 07:01:02 UTC run 12",
                shop);
        // the newest drill failed orders: its newest verified dump is the week before's
        String orders = browser.text("#drill-sample tr[data-database='orders']");
        assertEquals("orders backups/postgres/orders/postgres-orders-20241229010000.dump 2024-12-29 07:03:04 UTC "
                + "run 11", orders);
        String notCovered = browser.text("#drill-sample .not-covered");
        assertTrue(notCovered.contains("Not covered by the newest backup") && notCovered.contains("new <b>db</b>"),
                notCovered);
        assertTrue(browser.all("#drill-sample b").isEmpty(), "names are text, not markup");
        assertEquals(List.of(), browser.consoleErrors(), "no script error");
    }

    @Test
    void anInstanceWithADrillJobAndNoBackupJobShowsItsDrillCard() {
        browser.open(app.url("/"));
        browser.await("the page", () -> browser.all("#jobs-table").size() == 1);
        browser.driver().executeScript("""
                const box = document.createElement('div');
                box.id = 'drill-only';
                document.body.append(box);
                ncj.loadBackups(box, [{id: 'restore-drill-weekly', type: 'restore-drill'},
                                      {id: 'quick', type: 'test-sleep'}]);
                """);
        browser.await("the drill card", () -> browser.all("#drill-only .card.drill").size() == 1);
        assertEquals("restore-drill-weekly",
                browser.all("#drill-only .card.drill").get(0).getAttribute("data-job"));
        assertTrue(browser.text("#drill-only").contains("No backup job is configured"), browser.text("#drill-only"));
        assertEquals(List.of(), browser.consoleErrors(), "no script error");
    }

    @Test
    void showsANotReadyJobInAmberWithItsProblems() throws Exception {
        browser.open(app.url("/"));
        browser.await("backup-daily marked not ready", () -> browser.all("tr[data-job='backup-daily'].not-ready")
                .size() == 1);
        String row = browser.text("tr[data-job='backup-daily'] td.status");
        assertTrue(row.contains("not ready") && row.contains("PG_HOST is not set"), row);
        assertEquals("rgba(255, 246, 224, 1)", browser.driver().findElement(By.cssSelector(
                "tr[data-job='backup-daily'] td.status")).getCssValue("background-color"), "amber");
        assertTrue(browser.all("tr[data-job='quick'].not-ready").isEmpty(), "a test job needs no setting");
        JsonNode job = job("backup-daily");
        assertFalse(job.path("ready").asBoolean());
        assertTrue(job.path("problems").toString().contains("PG_HOST is not set"), job.toString());
        browser.screenshot("console-job-not-ready");
    }

    @Test
    void theRunBoxShowsTheTypesFieldsAndTheServers400NextToTheFieldItNames() throws Exception {
        useToken(TOKEN);
        int runsBefore = runs("nodes");
        openRunBox("nodes");
        List<String> fields = browser.all("#trigger-fields tbody tr").stream().map(r -> r.getAttribute("data-field"))
                .toList();
        assertEquals(List.of("data_dir", "grace_days", "dry_run", "docker_prune", "node_concurrency"), fields);
        String grace = browser.text("#trigger-fields tr[data-field='grace_days']");
        assertTrue(grace.startsWith("grace_days integer 0–36500 7 3"), "name, type, default, the job's value: " + grace);
        assertTrue(browser.text("#trigger-fields tr[data-field='dry_run']").startsWith("dry_run boolean true"));
        assertTrue(browser.text("#trigger-fields tr[data-field='data_dir']")
                .startsWith("data_dir absolute path \"/opt/nomad/data\""));

        String serverMessage = JSON.readTree(app.api("POST", "/api/jobs/nodes/runs", "{\"grace_days\":\"abc\"}",
                TOKEN).body()).path("error").asText();
        assertTrue(serverMessage.contains("grace_days"), serverMessage);
        browser.driver().findElement(By.cssSelector("input.field-value[data-field='grace_days']")).sendKeys("abc");
        browser.click("#trigger-run");
        browser.await("the server's 400 beside grace_days", () -> browser.text(
                "#trigger-fields td.field-error[data-field='grace_days']").equals(serverMessage));
        assertTrue(browser.all("#trigger-fields tr.field-bad").size() == 1);
        assertEquals("", browser.text("#trigger-fields td.field-error[data-field='data_dir']"));
        browser.screenshot("console-run-box-field-error");
        assertEquals(runsBefore, runs("nodes"), "the refused input started no run");
        assertFalse(browser.driver().getCurrentUrl().contains("#/runs"), "still on the jobs page");
    }

    @Test
    void theRunBoxOfARestoreDrillShowsItsChoiceAndNameListFieldsAndSendsTheListAsTyped() throws Exception {
        useToken(TOKEN);
        int runsBefore = runs("restore-drill-weekly");
        openRunBox("restore-drill-weekly");
        assertEquals("one of s3, local", browser.text("#trigger-fields tr[data-field='source'] td.field-type"));
        assertTrue(browser.text("#trigger-fields tr[data-field='databases'] td.field-type")
                .startsWith("JSON array of names"), browser.text("#trigger-fields tr[data-field='databases']"));

        // not a JSON array: sent as typed, and the server's 400 names the field
        String serverMessage = JSON.readTree(app.api("POST", "/api/jobs/restore-drill-weekly/runs",
                "{\"databases\":\"app, billing\"}", TOKEN).body()).path("error").asText();
        assertTrue(serverMessage.contains("databases"), serverMessage);
        browser.driver().findElement(By.cssSelector("input.field-value[data-field='databases']"))
                .sendKeys("app, billing");
        browser.click("#trigger-run");
        browser.await("the server's 400 beside databases", () -> browser.text(
                "#trigger-fields td.field-error[data-field='databases']").equals(serverMessage));

        // a choice outside the list: the same, beside source
        browser.driver().findElement(By.cssSelector("input.field-value[data-field='databases']")).clear();
        browser.driver().findElement(By.cssSelector("input.field-value[data-field='databases']"))
                .sendKeys("[\"app\", \"billing data\"]");
        browser.driver().findElement(By.cssSelector("input.field-value[data-field='source']")).sendKeys("ftp");
        browser.click("#trigger-run");
        browser.await("the server's 400 beside source", () -> browser.text(
                "#trigger-fields td.field-error[data-field='source']").contains("source"));
        assertEquals("", browser.text("#trigger-fields td.field-error[data-field='databases']"),
                "a JSON array of names is what databases takes");
        assertEquals(runsBefore, runs("restore-drill-weekly"), "the refused inputs started no run");
    }

    /** Clicks a job's Run… and waits for its box, which reads the job type's fields first. */
    private static void openRunBox(String job) {
        browser.click("tr[data-job='" + job + "'] button.trigger");
        browser.await("the Run… box of " + job, () -> browser.text("#trigger-run").equals("Run " + job + " now"));
    }

    /** Opens the jobs page and enters the token the way an operator does. */
    private static void useToken(String token) {
        browser.open(app.url("/"));
        browser.await("the jobs table", () -> browser.all("#jobs-table").size() == 1);
        WebElement input = browser.driver().findElement(By.id("token-input"));
        input.clear();
        input.sendKeys(token);
        browser.click("#token-save");
        assertEquals("token set for this tab", browser.text("#token-state"));
        assertEquals("", input.getAttribute("value"), "the box is emptied");
    }

    private static long awaitRunPage() {
        long[] id = new long[1];
        browser.await("the run page", () -> {
            Matcher m = RUN_URL.matcher(browser.driver().getCurrentUrl());
            if (m.find()) {
                id[0] = Long.parseLong(m.group(1));
                return browser.text("#run-id").equals(m.group(1));
            }
            return false;
        });
        return id[0];
    }

    private static String state() {
        return browser.driver().findElements(By.cssSelector("#run h2 .state")).stream().findFirst()
                .map(e -> e.getAttribute("data-state")).orElse("");
    }

    private static JsonNode job(String id) throws Exception {
        return JSON.readTree(app.api("GET", "/api/jobs/" + id, null, null).body());
    }

    private static int runs(String job) throws Exception {
        return JSON.readTree(app.api("GET", "/api/runs?job=" + job, null, null).body()).size();
    }
}
