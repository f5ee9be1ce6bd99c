package io.nomadcamel.jobs.scheduler.api;

import static io.nomadcamel.jobs.scheduler.api.ApiClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every door a job's input comes through, for every job type: a trigger's override merged over the job's input, an
 * API job's input, a properties job's input at start-up. Wrong type, out of range, relative path, unknown field,
 * nested garbage and a 200 KB string are each a 400 naming the field (start-up: one line naming
 * {@code jobs.<id>.input.<field>} and a non-zero exit), and the runs and jobs tables do not change. This instance
 * hosts no job type, so an accepted trigger stays PENDING: the 409 of an active run can be met, and input is checked
 * before it.
 */
class InputContractDoorsTest {

    private static final String DATABASE = "input_contract_doors_test";
    private static final String TOKEN = "doors-token-31c9";
    private static final String HUGE = "x".repeat(200_000);
    private static final String NESTED = "{\"a\":[1,{\"b\":[null,{\"c\":{}}]}],\"d\":\"e\"}";

    /** Each type's shipped job (application.properties) or one defined here, and the breaks its contract refuses. */
    private static final Map<String, String> JOB_OF_TYPE = Map.of("backup", "backup-daily", "backup-retention",
            "retention", "trivy-scan", "trivy-daily", "node-cleanup", "cleanup-daily", "registry-gc",
            "registry-gc-weekly", "postgres-maintenance", "postgres-maintenance-weekly", "aptly-cleanup",
            "aptly-cleanup-weekly", "restore-drill", "restore-drill-weekly");

    private static PostgresServer pg;
    private static AppProcess app;
    private static ApiClient api;

    /** A bad input field: the field the answer must name and its raw JSON value. */
    private record Break(String what, String field, String json) {
    }

    private static List<Break> breaks(String type) {
        List<Break> b = new ArrayList<>();
        switch (type) {
            case "backup" -> {
                b.add(new Break("wrong type", "dump_concurrency", "\"four\""));
                b.add(new Break("out of range", "dump_concurrency", "65"));
                b.add(new Break("out of range", "local_days", "-1"));
                b.add(new Break("nested garbage", "s3_days", NESTED));
                b.add(new Break("200 KB string", "local_days", "\"" + HUGE + "\""));
            }
            case "backup-retention" -> {
                b.add(new Break("wrong type", "dry_run", "\"false\""));
                b.add(new Break("out of range", "s3_days", "100001"));
                b.add(new Break("nested garbage", "local_days", NESTED));
                b.add(new Break("200 KB string", "dry_run", "\"" + HUGE + "\""));
            }
            case "trivy-scan" -> {
                b.add(new Break("wrong type", "concurrency", "true"));
                b.add(new Break("out of range", "concurrency", "0"));
                b.add(new Break("above scans.max-concurrency", "concurrency", "33"));
                b.add(new Break("nested garbage", "concurrency", NESTED));
                b.add(new Break("200 KB string", "concurrency", "\"" + HUGE + "\""));
            }
            case "node-cleanup" -> {
                b.add(new Break("wrong type", "grace_days", "\"abc\""));
                b.add(new Break("out of range", "grace_days", "-1"));
                b.add(new Break("relative path", "data_dir", "\"opt/nomad/data\""));
                b.add(new Break("path climbing out", "data_dir", "\"/opt/nomad/../../etc\""));
                b.add(new Break("nested garbage", "dry_run", NESTED));
                b.add(new Break("200 KB string", "data_dir", "\"/" + HUGE + "\""));
            }
            case "registry-gc" -> {
                b.add(new Break("wrong type", "dry_run", "\"no\""));
                b.add(new Break("out of range", "gc_timeout", "\"90d\""));
                b.add(new Break("relative path", "registry_data_dir", "\"registry\""));
                b.add(new Break("nested garbage", "job_name", NESTED));
                b.add(new Break("200 KB string", "registry_image", "\"" + HUGE + "\""));
            }
            case "restore-drill" -> {
                b.add(new Break("not one of s3, local", "source", "\"ftp\""));
                b.add(new Break("out of range", "concurrency", "0"));
                b.add(new Break("a string, not a list", "databases", "\"app\""));
                b.add(new Break("a list holding a number", "databases", "[\"app\", 3]"));
                b.add(new Break("a name twice", "databases", "[\"app\", \"app\"]"));
                b.add(new Break("nested garbage", "databases", NESTED));
                b.add(new Break("200 KB string", "source", "\"" + HUGE + "\""));
            }
            case "postgres-maintenance" -> {
                b.add(new Break("wrong type", "concurrency", "\"2\""));
                b.add(new Break("out of range", "concurrency", "0"));
                b.add(new Break("unbounded", "concurrency", "17"));
                b.add(new Break("nested garbage", "concurrency", NESTED));
            }
            case "aptly-cleanup" -> { // a YAML-only job: its route file declares the generic contract
                b.add(new Break("a command is a setting, never input", "command", "\"rm -rf /\""));
                b.add(new Break("relative path", "data_dir", "\"aptly\""));
                b.add(new Break("path climbing out", "data_dir", "\"/mnt/gdrive/../../etc\""));
                b.add(new Break("out of range", "command_timeout", "\"90d\""));
                b.add(new Break("nested garbage", "job_name", NESTED));
                b.add(new Break("200 KB string", "group_name", "\"" + HUGE + "\""));
            }
            default -> throw new IllegalArgumentException(type);
        }
        b.add(new Break("unknown field", "dryrun", "false"));
        b.add(new Break("unknown field holding garbage", "extra", NESTED));
        return b;
    }

    @BeforeAll
    static void startApplication() {
        pg = PostgresServer.shared();
        String url = pg.createDatabase(DATABASE);
        app = AppProcess.start(Map.of("DB_URL", url, "DB_USER", pg.user(), "API_TOKEN", TOKEN,
                "WORKER_JOB_TYPES", "test-noop"), "jobs.retention.type=backup-retention\n");
        app.awaitReady(Duration.ofSeconds(60));
        api = new ApiClient(app, TOKEN);
    }

    @AfterAll
    static void stopApplication() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aTriggersOverrideThatBreaksTheContractIs400NamingTheFieldAndRecordsNoRun() throws Exception {
        long runs = rows("runs");
        for (Map.Entry<String, String> e : JOB_OF_TYPE.entrySet()) {
            for (Break b : breaks(e.getKey())) {
                JsonNode answer = expect(400, api.post("/api/jobs/" + e.getValue() + "/runs",
                        "{\"" + b.field() + "\":" + b.json() + "}"));
                assertEquals(b.field(), answer.path("field").asText(), e.getKey() + " " + b.what() + ": " + answer);
                assertTrue(answer.path("error").asText().contains(b.field()), answer.toString());
                assertTrue(answer.path("error").asText().length() < 400, "the message cuts the value: "
                        + answer.path("error").asText().length());
            }
        }
        assertEquals(runs, rows("runs"), "no run recorded");
    }

    @Test
    void anApiJobsInputThatBreaksTheContractIs400NamingInputDotFieldAndCreatesNoJob() throws Exception {
        long jobs = rows("jobs");
        long runs = rows("runs");
        for (String type : JOB_OF_TYPE.keySet()) {
            for (Break b : breaks(type)) {
                JsonNode answer = expect(400, api.post("/api/jobs", "{\"id\":\"door-" + type + "\",\"type\":\"" + type
                        + "\",\"mode\":\"one-shot\",\"input\":{\"" + b.field() + "\":" + b.json() + "}}"));
                assertEquals("input." + b.field(), answer.path("field").asText(), type + " " + b.what() + ": " + answer);
                expect(404, api.get("/api/jobs/door-" + type));
            }
        }
        assertEquals(jobs, rows("jobs"), "no job stored");
        assertEquals(runs, rows("runs"));
    }

    @Test
    void inputIsCheckedBeforeTheConflictOfAnActiveRun() throws Exception {
        String body = "{\"id\":\"door-active\",\"type\":\"node-cleanup\",\"mode\":\"one-shot\","
                + "\"input\":{\"grace_days\":3}}";
        expect(201, api.post("/api/jobs", body));
        long runId = expect(202, api.post("/api/jobs/door-active/runs", "{\"grace_days\":0,\"dry_run\":true}"))
                .path("run_id").asLong();
        JsonNode pending = expect(200, api.get("/api/runs/" + runId));
        assertEquals("PENDING", pending.path("state").asText(), "no instance here hosts node-cleanup");
        assertEquals(0, pending.path("input").path("grace_days").asInt(), "the override over the job's input");
        long runs = rows("runs");
        assertEquals("grace_days", expect(400, api.post("/api/jobs/door-active/runs", "{\"grace_days\":\"abc\"}"))
                .path("field").asText(), "400 before the 409");
        expect(409, api.post("/api/jobs/door-active/runs", "{\"grace_days\":1}"));
        assertEquals(runs, rows("runs"));
        expect(202, api.post("/api/runs/" + runId + "/stop", null));
    }

    @Test
    void validInputWithTheDefaultsLeftOutIsAccepted() {
        JsonNode created = expect(201, api.post("/api/jobs", "{\"id\":\"door-gc\",\"type\":\"registry-gc\","
                + "\"mode\":\"one-shot\",\"input\":{\"registry_data_dir\":\"/srv/registry/\",\"gc_timeout\":\"90m\","
                + "\"group_name\":null}}"));
        assertEquals("/srv/registry/", created.path("input").path("registry_data_dir").asText(),
                "the job keeps its input as the operator wrote it");
        expect(204, api.delete("/api/jobs/door-gc"));
    }

    @Test
    void startUpWithABadPropertiesInputExitsNamingJobsIdInputFieldInOneLine() {
        Map<String, String[]> badJobs = new LinkedHashMap<>();
        badJobs.put("backup", new String[] {"backup-daily", "{\"dump_concurrency\":0}", "dump_concurrency"});
        badJobs.put("backup-retention", new String[] {"old", "{\"s3_days\":\"30\"}", "s3_days"});
        badJobs.put("trivy-scan", new String[] {"trivy-daily", "{\"concurency\":3}", "concurency"});
        badJobs.put("node-cleanup", new String[] {"cleanup-daily", "{\"data_dir\":\"data\"}", "data_dir"});
        badJobs.put("registry-gc", new String[] {"registry-gc-weekly", "{\"dry_run\":{\"x\":[1]}}", "dry_run"});
        badJobs.put("postgres-maintenance", new String[] {"postgres-maintenance-weekly", "{\"concurrency\":99}",
            "concurrency"});
        badJobs.put("aptly-cleanup", new String[] {"aptly-cleanup-weekly", "{\"data_dir\":\"/a/../b\"}", "data_dir"});
        badJobs.forEach((type, job) -> {
            String config = "jobs." + job[0] + ".type=" + type + "\njobs." + job[0] + ".input=" + job[1] + "\n";
            try (AppProcess bad = AppProcess.start(Map.of(), config)) {
                assertNotEquals(0, bad.awaitExit(Duration.ofSeconds(60)), type + " must not start:\n" + bad.output());
                String out = bad.output();
                String named = "jobs." + job[0] + ".input." + job[2];
                List<String> lines = out.lines().filter(l -> l.contains(named)).toList();
                assertEquals(1, lines.size(), type + ": one line names " + named + ":\n" + out);
                assertTrue(lines.get(0).contains("\"level\":\"ERROR\""), lines.get(0));
                assertFalse(out.contains("\tat ") || out.contains("\\tat "), "no stack trace:\n" + out);
                assertFalse(out.contains("Exception in thread"), out);
            }
        });
    }

    private static long rows(String table) throws Exception {
        return ApiClient.countRows(pg, DATABASE, table);
    }
}
