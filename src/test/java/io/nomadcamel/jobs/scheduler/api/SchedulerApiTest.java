package io.nomadcamel.jobs.scheduler.api;

import static io.nomadcamel.jobs.scheduler.api.ApiClient.expect;
import static io.nomadcamel.jobs.scheduler.api.ApiClient.finished;
import static io.nomadcamel.jobs.scheduler.api.ApiClient.inState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The jobs and runs API of design §4, black-box over HTTP against one application instance on a real PostgreSQL
 * (its own database), plus a second instance started without API_TOKEN for the 403 answers.
 */
class SchedulerApiTest {

    private static final String DATABASE = "scheduler_api_test";
    private static final String TOKEN = "api-test-token-4f1c";
    private static final Duration RUN_WAIT = Duration.ofSeconds(20);

    /** Properties jobs: one to trigger, one disabled (a trigger is refused), neither deletable over the API. */
    private static final String CONFIG = String.join("\n",
            "jobs.props-sleep.type=test-sleep",
            "jobs.props-sleep.input={\"sleep_ms\": 20, \"keep\": \"job\", \"over\": \"job\"}",
            "jobs.props-disabled.type=test-sleep",
            "jobs.props-disabled.enabled=false",
            "");

    private static final Set<String> RUN_FIELDS = Set.of("id", "job", "type", "trigger", "state", "reason", "attempt",
            "queued_at", "started_at", "finished_at", "input", "result", "error", "progress", "instance");

    private static final Set<String> JOB_FIELDS = Set.of("id", "type", "mode", "cron", "every", "queue", "timeout",
            "enabled", "paused", "next_run", "last_run", "input", "catchup", "restart_delay", "max_attempts");

    private static PostgresServer pg;
    private static AppProcess app;
    private static AppProcess appWithoutToken;
    private static ApiClient api;

    @BeforeAll
    static void startApplications() {
        pg = PostgresServer.shared();
        String url = pg.createDatabase(DATABASE);
        // both JVMs start at once: start-up dominates this class's run time
        app = AppProcess.start(Map.of("DB_URL", url, "DB_USER", pg.user(), "API_TOKEN", TOKEN), CONFIG);
        appWithoutToken = AppProcess.start(Map.of(), CONFIG);
        app.awaitReady(Duration.ofSeconds(60));
        appWithoutToken.awaitReady(Duration.ofSeconds(60));
        api = new ApiClient(app, TOKEN);
    }

    @AfterAll
    static void stopApplications() {
        if (app != null) {
            app.close();
        }
        if (appWithoutToken != null) {
            appWithoutToken.close();
        }
    }

    // ---- jobs -------------------------------------------------------------------------------------------------

    @Test
    void jobListAndOneJobCarryTheSnakeCaseFieldsOfTheDesign() {
        JsonNode list = expect(200, api.get("/api/jobs"));
        assertTrue(list.isArray(), list.toString());
        JsonNode listed = byId(list, "props-sleep");
        assertNotNull(listed, "properties job listed: " + list);
        for (JsonNode job : list) {
            assertTrue(fieldNames(job).containsAll(JOB_FIELDS), "job fields " + fieldNames(job));
            fieldNames(job).forEach(name -> assertTrue(name.matches("[a-z0-9_]+"), "not snake_case: " + name));
        }
        assertEquals("test-sleep", listed.path("type").asText());
        assertEquals("one-shot", listed.path("mode").asText());
        assertEquals("6h", listed.path("timeout").asText(), "the default timeout, written as a setting is");
        assertTrue(listed.path("enabled").asBoolean());
        assertFalse(listed.path("paused").asBoolean());
        assertTrue(listed.path("next_run").isNull(), "a one-shot job has no next slot");
        assertTrue(listed.path("cron").isNull() && listed.path("every").isNull() && listed.path("queue").isNull());
        assertEquals(1, listed.path("max_attempts").asInt());
        assertEquals("job", listed.path("input").path("keep").asText());
        assertFalse(byId(list, "props-disabled").path("enabled").asBoolean());

        JsonNode one = expect(200, api.get("/api/jobs/props-sleep"));
        assertEquals(fieldNames(listed), fieldNames(one));
        assertEquals(listed.path("input"), one.path("input"));

        JsonNode missing = expect(404, api.get("/api/jobs/no-such-job"));
        assertTrue(missing.path("error").asText().contains("no-such-job"), missing.toString());
    }

    @Test
    void createAnswers201WithTheJobAndADuplicateIdIs409() throws Exception {
        long rowsBefore = ApiClient.countRows(pg, DATABASE, "jobs");
        String body = "{\"id\":\"created-queued\",\"type\":\"test-sleep\",\"mode\":\"queued\",\"queue\":\"created-q\","
                + "\"timeout\":\"90s\",\"input\":{\"sleep_ms\":5},\"max_attempts\":2,\"enabled\":true}";
        JsonNode created = expect(201, api.post("/api/jobs", body));
        assertEquals("created-queued", created.path("id").asText());
        assertEquals("queued", created.path("mode").asText());
        assertEquals("created-q", created.path("queue").asText());
        assertEquals("90s", created.path("timeout").asText());
        assertEquals(2, created.path("max_attempts").asInt());
        assertEquals(5, created.path("input").path("sleep_ms").asInt());
        assertFalse(created.path("paused").asBoolean());
        assertTrue(created.path("last_run").isNull());
        assertEquals(rowsBefore + 1, ApiClient.countRows(pg, DATABASE, "jobs"), "stored for the next start-up");

        assertEquals(created, expect(200, api.get("/api/jobs/created-queued")));
        assertNotNull(byId(expect(200, api.get("/api/jobs")), "created-queued"));

        JsonNode duplicate = expect(409, api.post("/api/jobs", body));
        assertEquals("id", duplicate.path("field").asText());
        assertTrue(duplicate.path("error").asText().contains("created-queued"), duplicate.toString());
        JsonNode shadowing = expect(409, api.post("/api/jobs", "{\"id\":\"props-sleep\",\"type\":\"test-sleep\"}"));
        assertEquals("id", shadowing.path("field").asText());
        assertEquals(rowsBefore + 1, ApiClient.countRows(pg, DATABASE, "jobs"));
    }

    @Test
    void invalidJobIs400NamingTheFieldAndCreatesNothing() throws Exception {
        Set<String> jobsBefore = ids(expect(200, api.get("/api/jobs")));
        long rowsBefore = ApiClient.countRows(pg, DATABASE, "jobs");
        Map<String, String> fieldByBody = new LinkedHashMap<>();
        fieldByBody.put("{\"id\":\"bad-1\",\"type\":\"test-sleep\",\"colour\":\"red\"}", "colour");
        fieldByBody.put("{\"id\":\"bad-2\",\"type\":\"test-sleep\",\"enabled\":\"yes\"}", "enabled");
        fieldByBody.put("{\"id\":\"bad-3\",\"type\":\"test-sleep\",\"max_attempts\":\"3\"}", "max_attempts");
        fieldByBody.put("{\"id\":\"bad-4\",\"type\":\"test-sleep\",\"max_attempts\":0}", "max_attempts");
        fieldByBody.put("{\"id\":\"bad-5\",\"type\":\"test-sleep\",\"input\":[1,2]}", "input");
        fieldByBody.put("{\"id\":\"bad-6\",\"type\":\"no-such-type\"}", "type");
        fieldByBody.put("{\"id\":\"bad-7\"}", "type");
        fieldByBody.put("{\"id\":\"Bad Id\",\"type\":\"test-sleep\"}", "id");
        fieldByBody.put("{\"type\":\"test-sleep\"}", "id");
        fieldByBody.put("{\"id\":7,\"type\":\"test-sleep\"}", "id");
        fieldByBody.put("{\"id\":\"bad-8\",\"type\":\"test-sleep\",\"mode\":\"sometimes\"}", "mode");
        fieldByBody.put("{\"id\":\"bad-9\",\"type\":\"test-sleep\",\"mode\":\"queued\",\"timeout\":\"1m\"}", "queue");
        fieldByBody.put("{\"id\":\"bad-10\",\"type\":\"test-sleep\",\"mode\":\"queued\",\"queue\":\"q\"}", "timeout");
        fieldByBody.put("{\"id\":\"bad-11\",\"type\":\"test-sleep\",\"cron\":\"every day\"}", "cron");
        fieldByBody.put("{\"id\":\"bad-12\",\"type\":\"test-sleep\",\"every\":\"soon\"}", "every");
        fieldByBody.put("{\"id\":\"bad-13\",\"type\":\"test-sleep\",\"timeout\":\"0s\"}", "timeout");
        fieldByBody.put("{\"id\":\"bad-14\",\"type\":\"test-sleep\",\"restart_delay\":\"10s\"}", "restart_delay");
        fieldByBody.put("{\"id\":\"bad-15\",\"type\":\"test-sleep\",\"catchup\":\"1h\"}", "catchup");
        fieldByBody.put("{\"id\":\"bad-16\",\"type\":\"test-sleep\",\"run_at_startup\":1}", "run_at_startup");
        fieldByBody.put("{\"id\":\"bad-17\",\"type\":\"test-sleep\",\"mode\":\"recurring\"}", "cron");
        fieldByBody.forEach((body, field) -> {
            JsonNode answer = expect(400, api.post("/api/jobs", body));
            assertEquals(field, answer.path("field").asText(), body + " -> " + answer);
            assertTrue(answer.path("error").asText().contains(field), "the message names the field: " + answer);
        });
        for (String body : List.of("", "   ", "[]", "{", "{\"id\":\"dup\",\"type\":\"test-sleep\",\"id\":\"dup\"}")) {
            JsonNode answer = expect(400, api.post("/api/jobs", body));
            assertFalse(answer.path("error").asText().isBlank(), "'" + body + "' -> " + answer);
        }
        assertEquals(jobsBefore, ids(expect(200, api.get("/api/jobs"))));
        assertEquals(rowsBefore, ApiClient.countRows(pg, DATABASE, "jobs"));
    }

    @Test
    void unknownFieldIs400EvenWhenItsValueIsNull() throws Exception {
        long rowsBefore = ApiClient.countRows(pg, DATABASE, "jobs");
        JsonNode answer = expect(400, api.post("/api/jobs",
                "{\"id\":\"null-unknown\",\"type\":\"test-sleep\",\"colour\":null}"));
        assertEquals("colour", answer.path("field").asText(), answer.toString());
        expect(404, api.get("/api/jobs/null-unknown"));
        assertEquals(rowsBefore, ApiClient.countRows(pg, DATABASE, "jobs"));
    }

    /** A schedule or timeout the scheduler cannot count in milliseconds or add to a time must be refused up front. */
    @Test
    void durationsBeyondWhatTheSchedulerCanCountAre400() throws Exception {
        long rowsBefore = ApiClient.countRows(pg, DATABASE, "jobs");
        String huge = "PT9999999999999H";
        Map<String, String> fieldByBody = new LinkedHashMap<>();
        fieldByBody.put("{\"id\":\"huge-timeout\",\"type\":\"test-sleep\",\"timeout\":\"" + huge + "\"}", "timeout");
        fieldByBody.put("{\"id\":\"huge-every\",\"type\":\"test-sleep\",\"every\":\"" + huge + "\"}", "every");
        fieldByBody.put("{\"id\":\"huge-catchup\",\"type\":\"test-sleep\",\"every\":\"1h\",\"catchup\":\"" + huge
                + "\"}", "catchup");
        fieldByBody.put("{\"id\":\"huge-restart\",\"type\":\"test-sleep\",\"mode\":\"continuous\","
                + "\"restart_delay\":\"" + huge + "\"}", "restart_delay");
        fieldByBody.forEach((body, field) ->
                assertEquals(field, expect(400, api.post("/api/jobs", body)).path("field").asText(), body));
        assertEquals(rowsBefore, ApiClient.countRows(pg, DATABASE, "jobs"));
    }

    @Test
    void cronThatNeverFiresAgainIs400() throws Exception {
        long rowsBefore = ApiClient.countRows(pg, DATABASE, "jobs");
        JsonNode answer = expect(400, api.post("/api/jobs",
                "{\"id\":\"past-cron\",\"type\":\"test-sleep\",\"cron\":\"0 0 0 1 1 ? 2000\"}"));
        assertEquals("cron", answer.path("field").asText(), answer.toString());
        assertEquals(rowsBefore, ApiClient.countRows(pg, DATABASE, "jobs"));
    }

    @Test
    void deleteAnswers204ForAnApiJobAnd409ForAPropertiesJob() throws Exception {
        expect(201, api.post("/api/jobs", "{\"id\":\"to-delete\",\"type\":\"test-sleep\"}"));
        HttpResponse<String> deleted = api.delete("/api/jobs/to-delete");
        expect(204, deleted);
        assertEquals("", deleted.body());
        expect(404, api.get("/api/jobs/to-delete"));
        assertEquals(null, byId(expect(200, api.get("/api/jobs")), "to-delete"));
        expect(404, api.delete("/api/jobs/to-delete"));
        // the id is free again: nothing of the deleted job was left behind
        expect(201, api.post("/api/jobs", "{\"id\":\"to-delete\",\"type\":\"test-sleep\"}"));
        expect(204, api.delete("/api/jobs/to-delete"));

        JsonNode refused = expect(409, api.delete("/api/jobs/props-sleep"));
        assertTrue(refused.path("error").asText().contains("properties"), refused.toString());
        expect(200, api.get("/api/jobs/props-sleep"));
        expect(404, api.delete("/api/jobs/no-such-job"));
    }

    @Test
    void pauseAndResumeAnswer200WithThePausedFlag() {
        JsonNode paused = expect(200, api.post("/api/jobs/props-sleep/pause", null));
        assertEquals("props-sleep", paused.path("id").asText());
        assertTrue(paused.path("paused").asBoolean());
        assertTrue(expect(200, api.get("/api/jobs/props-sleep")).path("paused").asBoolean());
        assertTrue(byId(expect(200, api.get("/api/jobs")), "props-sleep").path("paused").asBoolean());

        JsonNode resumed = expect(200, api.post("/api/jobs/props-sleep/resume", null));
        assertFalse(resumed.path("paused").asBoolean());
        assertFalse(expect(200, api.get("/api/jobs/props-sleep")).path("paused").asBoolean());

        expect(404, api.post("/api/jobs/no-such-job/pause", null));
        expect(404, api.post("/api/jobs/no-such-job/resume", null));
    }

    @Test
    void recurringJobShowsItsNextRunUntilPaused() {
        Instant before = Instant.now();
        JsonNode created = expect(201, api.post("/api/jobs",
                "{\"id\":\"hourly\",\"type\":\"test-sleep\",\"every\":\"1h\"}"));
        assertEquals("recurring", created.path("mode").asText());
        assertEquals("1h", created.path("every").asText());
        assertEquals("1h", created.path("catchup").asText(), "catch-up defaults to one period");
        Instant next = utc(created.path("next_run"));
        assertTrue(next.isAfter(before) && !next.isAfter(before.plus(Duration.ofHours(1)).plusSeconds(1)),
                next.toString());

        assertTrue(expect(200, api.post("/api/jobs/hourly/pause", null)).path("next_run").isNull(),
                "a paused schedule has no next run");
        assertEquals(next, utc(expect(200, api.post("/api/jobs/hourly/resume", null)).path("next_run")));
        expect(204, api.delete("/api/jobs/hourly"));
    }

    // ---- triggers ---------------------------------------------------------------------------------------------

    @Test
    void triggerAnswers202BeforeTheRunFinishes() {
        expect(201, api.post("/api/jobs",
                "{\"id\":\"slow-3s\",\"type\":\"test-sleep\",\"input\":{\"sleep_ms\":3000}}"));
        long t0 = System.nanoTime();
        HttpResponse<String> response = api.post("/api/jobs/slow-3s/runs", null);
        long answeredMillis = (System.nanoTime() - t0) / 1_000_000;
        JsonNode accepted = expect(202, response);
        assertEquals(Set.of("run_id", "state", "queue_position"), fieldNames(accepted));
        assertTrue(accepted.path("run_id").isIntegralNumber(), accepted.toString());
        assertTrue(Set.of("PENDING", "RUNNING").contains(accepted.path("state").asText()), accepted.toString());
        assertEquals(0, accepted.path("queue_position").asInt(), "not a queued job");
        // well under the run's 3 s, with room for a loaded 2-core machine
        assertTrue(answeredMillis < 2000, "the trigger waited for the run: " + answeredMillis + " ms");

        long runId = accepted.path("run_id").asLong();
        JsonNode during = expect(200, api.get("/api/runs/" + runId));
        assertTrue(during.path("finished_at").isNull(), "finished before the 3 s sleep could: " + during);

        JsonNode done = api.awaitRun(runId, inState("SUCCEEDED"), RUN_WAIT);
        long ranMillis = Duration.between(utc(done.path("started_at")), utc(done.path("finished_at"))).toMillis();
        assertTrue(ranMillis >= 3000, "ran " + ranMillis + " ms");
    }

    @Test
    void runCarriesTheDesignFieldsAndTheOverrideMergedOverTheJobInput() {
        JsonNode accepted = expect(202, api.post("/api/jobs/props-sleep/runs",
                "{\"over\":\"trigger\",\"extra\":{\"n\":1}}"));
        long runId = accepted.path("run_id").asLong();
        JsonNode run = api.awaitRun(runId, inState("SUCCEEDED"), RUN_WAIT);

        assertTrue(fieldNames(run).containsAll(RUN_FIELDS), "run fields " + fieldNames(run));
        fieldNames(run).forEach(name -> assertTrue(name.matches("[a-z0-9_]+"), "not snake_case: " + name));
        assertEquals(runId, run.path("id").asLong());
        assertEquals("props-sleep", run.path("job").asText());
        assertEquals("test-sleep", run.path("type").asText());
        assertEquals("api", run.path("trigger").asText());
        assertEquals(1, run.path("attempt").asInt());
        assertTrue(run.path("reason").isNull() && run.path("error").isNull(), run.toString());
        assertEquals(json("{\"sleep_ms\":20,\"keep\":\"job\",\"over\":\"trigger\",\"extra\":{\"n\":1}}"),
                run.path("input"), "override merged over the job's input");
        assertEquals(20, run.path("result").path("slept_ms").asInt());
        assertEquals("sleeping 20 ms", run.path("progress").asText());
        assertFalse(run.path("instance").asText().isBlank());
        Instant queued = utc(run.path("queued_at"));
        Instant started = utc(run.path("started_at"));
        Instant finished = utc(run.path("finished_at"));
        assertFalse(started.isBefore(queued) || finished.isBefore(started), run.toString());

        assertEquals("job", expect(200, api.get("/api/jobs/props-sleep")).path("input").path("over").asText(),
                "the override changes one run, not the job");
        JsonNode lastRun = expect(200, api.get("/api/jobs/props-sleep")).path("last_run");
        assertEquals(runId, lastRun.path("id").asLong());
        assertEquals("SUCCEEDED", lastRun.path("state").asText());

        long plain = expect(202, api.post("/api/jobs/props-sleep/runs", null)).path("run_id").asLong();
        assertEquals(json("{\"sleep_ms\":20,\"keep\":\"job\",\"over\":\"job\"}"),
                api.awaitRun(plain, finished(), RUN_WAIT).path("input"), "no body: the job's input as is");
    }

    @Test
    void failedRunKeepsItsErrorAndPartialResult() {
        expect(201, api.post("/api/jobs", "{\"id\":\"failing\",\"type\":\"test-fail\","
                + "\"input\":{\"message\":\"disk full on node-3\"}}"));
        long runId = expect(202, api.post("/api/jobs/failing/runs", null)).path("run_id").asLong();
        JsonNode run = api.awaitRun(runId, inState("FAILED"), RUN_WAIT);
        assertTrue(run.path("error").asText().contains("disk full on node-3"), run.toString());
        assertEquals(1, run.path("result").path("done_before_failure").asInt(), run.toString());
        utc(run.path("finished_at"));
    }

    @Test
    void triggerWhileARunIsActiveIs409AndStoppingItAnswers202ThenAFinishedRunIs409() throws Exception {
        expect(201, api.post("/api/jobs",
                "{\"id\":\"stoppable\",\"type\":\"test-sleep\",\"input\":{\"sleep_ms\":60000}}"));
        long runId = expect(202, api.post("/api/jobs/stoppable/runs", null)).path("run_id").asLong();
        api.awaitRun(runId, inState("RUNNING"), RUN_WAIT);
        long rowsBefore = ApiClient.countRows(pg, DATABASE, "runs");

        JsonNode busy = expect(409, api.post("/api/jobs/stoppable/runs", "{\"sleep_ms\":1}"));
        assertTrue(busy.path("error").asText().contains("active run"), busy.toString());
        assertEquals(rowsBefore, ApiClient.countRows(pg, DATABASE, "runs"), "a refused trigger records no run");

        JsonNode stopping = expect(202, api.post("/api/runs/" + runId + "/stop", null));
        assertEquals(runId, stopping.path("id").asLong());
        JsonNode stopped = api.awaitRun(runId, inState("CANCELLED"), RUN_WAIT);
        assertTrue(stopped.path("reason").asText().contains("stopped"), stopped.toString());
        assertTrue(Duration.between(utc(stopped.path("started_at")), utc(stopped.path("finished_at")))
                .compareTo(Duration.ofSeconds(30)) < 0, "stopped long before its 60 s sleep ended");

        JsonNode ended = expect(409, api.post("/api/runs/" + runId + "/stop", null));
        assertTrue(ended.path("error").asText().contains("CANCELLED"), ended.toString());

        // the job's lock went with the run: it can be triggered again
        long again = expect(202, api.post("/api/jobs/stoppable/runs", null)).path("run_id").asLong();
        expect(202, api.post("/api/runs/" + again + "/stop", null));
        api.awaitRun(again, finished(), RUN_WAIT);

        expect(404, api.post("/api/runs/999999999/stop", null));
        expect(404, api.post("/api/runs/not-a-number/stop", null));
    }

    @Test
    void queuedTriggersWaitInLineWithTheirPosition() {
        expect(201, api.post("/api/jobs", "{\"id\":\"queued-job\",\"type\":\"test-sleep\",\"mode\":\"queued\","
                + "\"queue\":\"api-test\",\"timeout\":\"1m\",\"input\":{\"sleep_ms\":60000}}"));
        long first = expect(202, api.post("/api/jobs/queued-job/runs", null)).path("run_id").asLong();
        api.awaitRun(first, inState("RUNNING"), RUN_WAIT);

        JsonNode second = expect(202, api.post("/api/jobs/queued-job/runs", null));
        assertEquals("PENDING", second.path("state").asText());
        assertEquals(1, second.path("queue_position").asInt(), second.toString());
        JsonNode third = expect(202, api.post("/api/jobs/queued-job/runs", "{\"sleep_ms\":10}"));
        assertEquals("PENDING", third.path("state").asText());
        assertEquals(2, third.path("queue_position").asInt(), third.toString());
        long secondId = second.path("run_id").asLong();
        long thirdId = third.path("run_id").asLong();

        expect(202, api.post("/api/runs/" + secondId + "/stop", null));
        JsonNode cancelled = expect(200, api.get("/api/runs/" + secondId));
        assertEquals("CANCELLED", cancelled.path("state").asText(), "a waiting run is cancelled at once");
        assertTrue(cancelled.path("started_at").isNull(), cancelled.toString());

        expect(202, api.post("/api/runs/" + first + "/stop", null));
        JsonNode ran = api.awaitRun(thirdId, inState("SUCCEEDED"), RUN_WAIT);
        assertEquals(10, ran.path("input").path("sleep_ms").asInt());

        List<Long> history = new ArrayList<>();
        expect(200, api.get("/api/runs?job=queued-job")).forEach(r -> history.add(r.path("id").asLong()));
        assertEquals(List.of(thirdId, secondId, first), history, "newest first");
    }

    @Test
    void triggerOfAnUnknownOrDisabledJobOrWithABadBodyCreatesNoRun() throws Exception {
        long rowsBefore = ApiClient.countRows(pg, DATABASE, "runs");
        expect(404, api.post("/api/jobs/no-such-job/runs", null));
        JsonNode disabled = expect(409, api.post("/api/jobs/props-disabled/runs", null));
        assertTrue(disabled.path("error").asText().contains("disabled"), disabled.toString());
        for (String body : List.of("[1]", "\"text\"", "42", "{", "{\"a\":1,\"a\":2}")) {
            JsonNode bad = expect(400, api.post("/api/jobs/props-sleep/runs", body));
            assertFalse(bad.path("error").asText().isBlank(), body);
        }
        assertEquals("input", expect(400, api.post("/api/jobs/props-sleep/runs", "[1]")).path("field").asText());
        assertEquals(rowsBefore, ApiClient.countRows(pg, DATABASE, "runs"));
    }

    // ---- runs -------------------------------------------------------------------------------------------------

    @Test
    void runHistoryFiltersByJobStateAndLimitNewestFirst() {
        expect(201, api.post("/api/jobs", "{\"id\":\"history\",\"type\":\"test-sleep\",\"input\":{\"sleep_ms\":1}}"));
        List<Long> runIds = new ArrayList<>();
        for (String override : new String[] {null, null, "{\"sleep_ms\":\"not a number\"}", null}) {
            long id = expect(202, api.post("/api/jobs/history/runs", override)).path("run_id").asLong();
            api.awaitRun(id, finished(), RUN_WAIT);
            runIds.add(0, id);
        }

        assertEquals(runIds, idsOf(expect(200, api.get("/api/runs?job=history"))), "newest first");
        JsonNode succeeded = expect(200, api.get("/api/runs?job=history&state=SUCCEEDED"));
        assertEquals(3, succeeded.size());
        succeeded.forEach(r -> assertEquals("SUCCEEDED", r.path("state").asText()));
        JsonNode failed = expect(200, api.get("/api/runs?job=history&state=failed"));
        assertEquals(List.of(runIds.get(1)), idsOf(failed), "state is matched case-insensitively");
        assertEquals(runIds.subList(0, 2), idsOf(expect(200, api.get("/api/runs?job=history&limit=2"))));
        assertEquals(1, expect(200, api.get("/api/runs?limit=1")).size());
        JsonNode all = expect(200, api.get("/api/runs"));
        assertTrue(all.size() >= 4 && all.get(0).path("id").asLong() >= runIds.get(0), all.toString());
        assertEquals(0, expect(200, api.get("/api/runs?job=no-such-job")).size());

        assertEquals("state", expect(400, api.get("/api/runs?state=NOPE")).path("field").asText());
        for (String limit : List.of("0", "1001", "abc", "-5")) {
            assertEquals("limit", expect(400, api.get("/api/runs?limit=" + limit)).path("field").asText(), limit);
        }
        expect(404, api.get("/api/runs/999999999"));
        expect(404, api.get("/api/runs/not-a-number"));
    }

    // ---- authorisation ----------------------------------------------------------------------------------------

    @Test
    void mutatingCallsWithoutTheTokenAre401WithWwwAuthenticateAndChangeNothing() throws Exception {
        expect(201, api.post("/api/jobs", "{\"id\":\"auth-target\",\"type\":\"test-sleep\"}"));
        long runsBefore = ApiClient.countRows(pg, DATABASE, "runs");
        String[][] calls = {
            {"POST", "/api/jobs", "{\"id\":\"unauthorised\",\"type\":\"test-sleep\"}"},
            {"DELETE", "/api/jobs/auth-target", null},
            {"POST", "/api/jobs/auth-target/runs", null},
            {"POST", "/api/jobs/auth-target/pause", null},
            {"POST", "/api/jobs/auth-target/resume", null},
            {"POST", "/api/runs/1/stop", null},
        };
        for (String[] call : calls) {
            for (String token : new String[] {null, "wrong-token", TOKEN + "x", ""}) {
                HttpResponse<String> r = app.api(call[0], call[1], call[2], token);
                JsonNode answer = expect(401, r);
                assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"),
                        call[0] + " " + call[1] + " " + r.headers().map());
                assertFalse(answer.path("error").asText().isBlank());
            }
        }
        // the token belongs in the header: a query parameter of that name must not stand in for it
        expect(401, app.api("POST", "/api/jobs/auth-target/pause?Authorization=Bearer%20" + TOKEN, null, null));

        expect(404, api.get("/api/jobs/unauthorised"));
        assertFalse(expect(200, api.get("/api/jobs/auth-target")).path("paused").asBoolean());
        assertEquals(runsBefore, ApiClient.countRows(pg, DATABASE, "runs"));
        expect(200, app.api("GET", "/api/runs", null, null));
    }

    @Test
    void bearerSchemeIsCaseInsensitiveAsRfc7235Says() {
        expect(201, api.post("/api/jobs", "{\"id\":\"scheme-case\",\"type\":\"test-sleep\"}"));
        HttpResponse<String> r = AppProcess.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(app.url("/api/jobs/scheme-case/pause")))
                .header("Authorization", "bearer " + TOKEN)
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
        assertTrue(expect(200, r).path("paused").asBoolean());
    }

    @Test
    void pathParametersComeFromThePathNotFromQueryParameters() {
        expect(201, api.post("/api/jobs", "{\"id\":\"path-target\",\"type\":\"test-sleep\"}"));
        JsonNode paused = expect(200, api.post("/api/jobs/path-target/pause?id=props-sleep", null));
        assertEquals("path-target", paused.path("id").asText());
        assertFalse(expect(200, api.get("/api/jobs/props-sleep")).path("paused").asBoolean());
        assertEquals("path-target", expect(200, api.get("/api/jobs/path-target?id=props-sleep")).path("id").asText());
    }

    @Test
    void instanceWithoutApiTokenRefusesMutatingCallsWith403SayingSo() {
        for (String token : new String[] {null, TOKEN, ""}) {
            JsonNode refused = expect(403, appWithoutToken.api("POST", "/api/jobs",
                    "{\"id\":\"no-token\",\"type\":\"test-sleep\"}", token));
            assertTrue(refused.path("error").asText().contains("API_TOKEN"), refused.toString());
        }
        expect(403, appWithoutToken.api("POST", "/api/jobs/props-sleep/runs", null, TOKEN));
        expect(403, appWithoutToken.api("POST", "/api/jobs/props-sleep/pause", null, TOKEN));
        expect(403, appWithoutToken.api("DELETE", "/api/jobs/props-sleep", null, TOKEN));
        expect(403, appWithoutToken.api("POST", "/api/runs/1/stop", null, TOKEN));
        assertNotNull(byId(expect(200, appWithoutToken.api("GET", "/api/jobs", null, null)), "props-sleep"),
                "reading needs no token");
        assertEquals(0, expect(200, appWithoutToken.api("GET", "/api/runs", null, null)).size());
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** An ISO-8601 UTC timestamp as the design writes them; fails on anything else. */
    private static Instant utc(JsonNode value) {
        String text = value.asText();
        assertTrue(value.isTextual() && text.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z"),
                "not an ISO-8601 UTC time: " + value);
        return Instant.parse(text);
    }

    private static JsonNode byId(JsonNode list, String id) {
        for (JsonNode job : list) {
            if (id.equals(job.path("id").asText())) {
                return job;
            }
        }
        return null;
    }

    private static Set<String> ids(JsonNode list) {
        Set<String> ids = new TreeSet<>();
        list.forEach(j -> ids.add(j.path("id").asText()));
        return ids;
    }

    private static List<Long> idsOf(JsonNode runs) {
        List<Long> ids = new ArrayList<>();
        runs.forEach(r -> ids.add(r.path("id").asLong()));
        return ids;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode json(String text) {
        try {
            return ApiClient.JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
