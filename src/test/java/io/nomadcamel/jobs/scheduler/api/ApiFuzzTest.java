package io.nomadcamel.jobs.scheduler.api;

import static io.nomadcamel.jobs.scheduler.api.ApiClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several hundred malformed bodies for POST /api/jobs and POST /api/jobs/{id}/runs, hand-written and generated from a
 * fixed seed: every answer must be a 4xx with a JSON error (never 5xx, never 2xx), the field-level mistakes must be
 * named in {@code field}, and afterwards no job, job state or run exists that did not exist before.
 */
class ApiFuzzTest {

    /** Fixed, so a failure names a body that the next run sends again. */
    private static final long SEED = 0x5eed_f00dL;
    private static final String DATABASE = "api_fuzz_test";
    private static final String TOKEN = "fuzz-token-9d02";
    private static final String TARGET = "/api/jobs/fuzz-target/runs";
    private static final String CONFIG = "jobs.fuzz-target.type=test-sleep\n"
            + "jobs.fuzz-target.input={\"sleep_ms\": 1}\n"
            + "jobs.fuzz-cleanup.type=node-cleanup\n";
    private static final String CONTRACT_TARGET = "/api/jobs/fuzz-cleanup/runs";
    /** Input contracts as the API documents them (GET /api/job-types): field name and kind, in a fixed order. */
    private static final Map<String, List<String[]>> CONTRACTS = Map.of(
            "node-cleanup", List.of(new String[] {"data_dir", "path"}, new String[] {"grace_days", "int:0:36500"},
                    new String[] {"dry_run", "bool"}, new String[] {"docker_prune", "bool"},
                    new String[] {"node_concurrency", "int:1:64"}),
            "registry-gc", List.of(new String[] {"job_name", "text"}, new String[] {"registry_data_dir", "path"},
                    new String[] {"dry_run", "bool"}, new String[] {"gc_timeout", "duration"}),
            "backup", List.of(new String[] {"local_days", "int:0:100000"}, new String[] {"dump_concurrency", "int:1:64"}));
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final List<String> STRING_FIELDS =
            List.of("id", "type", "mode", "cron", "every", "timeout", "queue", "catchup", "restart_delay");
    private static final List<String> BOOLEAN_FIELDS = List.of("enabled", "run_at_startup");
    /** A list, not a set: Set.of iterates in an order that changes from one JVM to the next, and picks must not. */
    private static final List<String> JOB_FIELDS = List.of("id", "type", "mode", "cron", "every", "timeout", "queue",
            "catchup", "restart_delay", "enabled", "run_at_startup", "max_attempts", "input");
    /** Bigger than the API's 256 K-character body limit. */
    private static final int HUGE = 300_000;
    private static final long SLOW_MILLIS = 200;

    private static PostgresServer pg;
    private static AppProcess app;

    /** One malformed request; {@code field}, when known, is what the 400 must name. */
    private record Case(String label, String path, byte[] body, String contentType, String field) {
        Case(String label, String path, String body, String field) {
            this(label, path, body.getBytes(StandardCharsets.UTF_8), "application/json", field);
        }

        String excerpt() {
            String text = new String(body, StandardCharsets.UTF_8);
            return label + " " + path + " [" + (text.length() > 160 ? text.substring(0, 160) + "…(" + body.length
                    + " bytes)" : text) + "]";
        }
    }

    @BeforeAll
    static void startApplication() {
        pg = PostgresServer.shared();
        String url = pg.createDatabase(DATABASE);
        app = AppProcess.start(Map.of("DB_URL", url, "DB_USER", pg.user(), "API_TOKEN", TOKEN), CONFIG);
        app.awaitReady(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopApplication() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void malformedJobBodiesAre4xxAndCreateNothing() throws Exception {
        List<Case> cases = new ArrayList<>(handWrittenJobBodies());
        cases.addAll(generatedJobBodies(new Random(SEED), 360));
        assertTrue(cases.size() >= 400, "cases: " + cases.size());
        sendAllAndAssertNothingCreated(cases);
    }

    @Test
    void malformedTriggerBodiesAre4xxAndStartNoRun() throws Exception {
        List<Case> cases = new ArrayList<>(handWrittenTriggerBodies());
        cases.addAll(generatedTriggerBodies(new Random(SEED + 1), 220));
        assertTrue(cases.size() >= 250, "cases: " + cases.size());
        sendAllAndAssertNothingCreated(cases);
    }

    @Test
    void schemaShapedGarbageIs400NamingTheInputFieldAtBothDoors() throws Exception {
        List<Case> cases = new ArrayList<>(schemaShapedBodies(new Random(SEED + 2), 300));
        assertTrue(cases.size() >= 300, "cases: " + cases.size());
        sendAllAndAssertNothingCreated(cases);
    }

    private void sendAllAndAssertNothingCreated(List<Case> cases) throws Exception {
        ApiClient api = new ApiClient(app, TOKEN);
        JsonNode jobsBefore = expect(200, api.get("/api/jobs"));
        long[] rowsBefore = rowCounts();

        List<String> problems = new ArrayList<>();
        List<String> slow = new ArrayList<>();
        for (Case c : cases) {
            long t0 = System.nanoTime();
            HttpResponse<String> r;
            try {
                r = send(c);
            } catch (RuntimeException e) {
                problems.add("no answer (" + e + ") for " + c.excerpt());
                continue;
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (ms > SLOW_MILLIS) {
                slow.add(ms + " ms for " + c.excerpt());
            }
            String problem = check(c, r);
            if (problem != null) {
                problems.add(problem);
            }
        }
        if (!slow.isEmpty()) {
            // not a failure by itself, but where to look when the machine is slow or a case hangs
            System.out.println("answers slower than " + SLOW_MILLIS + " ms: " + slow);
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " of " + cases.size() + " malformed bodies were not answered as they must be:\n"
                    + String.join("\n", problems.subList(0, Math.min(40, problems.size()))));
        }
        assertEquals(jobsBefore, expect(200, api.get("/api/jobs")), "the job list changed");
        assertEquals(List.of(rowsBefore[0], rowsBefore[1], rowsBefore[2]), List.of(rowCounts()[0], rowCounts()[1],
                rowCounts()[2]), "rows of jobs, job_state, runs");
    }

    /** What is wrong with the answer to a malformed body, or null if nothing is. */
    private static String check(Case c, HttpResponse<String> r) {
        int status = r.statusCode();
        if (status < 400 || status > 499) {
            return status + " for " + c.excerpt() + " -> " + abbreviate(r.body());
        }
        JsonNode answer;
        try {
            answer = ApiClient.JSON.readTree(r.body());
        } catch (Exception e) {
            return "not JSON: " + status + " for " + c.excerpt() + " -> " + abbreviate(r.body());
        }
        if (answer == null || answer.path("error").asText().isBlank()) {
            return "no error message: " + status + " for " + c.excerpt() + " -> " + abbreviate(r.body());
        }
        if (c.field() != null && !c.field().equals(answer.path("field").asText())) {
            return "field '" + answer.path("field").asText() + "' instead of '" + c.field() + "' for " + c.excerpt()
                    + " -> " + abbreviate(r.body());
        }
        return null;
    }

    private static HttpResponse<String> send(Case c) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(app.url(c.path()))).timeout(Duration.ofSeconds(20))
                .header("Content-Type", c.contentType()).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(c.body())).build();
        return AppProcess.send(request);
    }

    private static long[] rowCounts() throws Exception {
        return new long[] {ApiClient.countRows(pg, DATABASE, "jobs"), ApiClient.countRows(pg, DATABASE, "job_state"),
            ApiClient.countRows(pg, DATABASE, "runs")};
    }

    // ---- hand-written -----------------------------------------------------------------------------------------

    private static int handWrittenIds;

    /** A valid id and type, the id new each time: one body wrongly accepted must not turn the rest into 409s. */
    private static String ok() {
        return "\"id\":\"fz-hand-" + (++handWrittenIds) + "\",\"type\":\"test-sleep\"";
    }

    private static List<Case> handWrittenJobBodies() {
        List<Case> cases = new ArrayList<>();
        // a body is required
        for (String blank : List.of("", " ", "\n", "\t \r\n  ")) {
            cases.add(new Case("blank", "/api/jobs", blank, null));
        }
        // not an object
        for (String notObject : List.of("null", "true", "false", "0", "-1", "1.5", "\"text\"", "[]", "[{}]",
                "[{" + ok() + "}]", "[[[]]]", "{}")) {
            cases.add(new Case("not a job object", "/api/jobs", notObject, null));
        }
        // not JSON
        for (String broken : List.of("{", "}", "{\"id\":", "{" + ok() + ",}", "{\"id\":\"x\" \"type\":\"test-sleep\"}",
                "{'id':'x','type':'test-sleep'}", "{id:\"x\",type:\"test-sleep\"}", "{" + ok() + "} trailing",
                "{" + ok() + "}{}", "{" + ok() + "} // comment", "/* c */ {" + ok() + "}",
                "{" + ok() + ",\"max_attempts\":NaN}",
                "{" + ok() + ",\"max_attempts\":Infinity}", "{" + ok() + ",\"max_attempts\":-Infinity}",
                "{" + ok() + ",\"max_attempts\":0x10}", "{" + ok() + ",\"max_attempts\":+1}",
                "{" + ok() + ",\"max_attempts\":01}", "{" + ok() + ",\"max_attempts\":1.}",
                "{" + ok() + ",\"max_attempts\":.5}", "{" + ok() + ",\"max_attempts\":1e}",
                "{" + ok() + ",\"enabled\":True}", "{" + ok() + ",\"enabled\":tru}",
                "{" + ok() + ",\"input\":undefined}",
                "{\"id\":\"fz\\x41\",\"type\":\"test-sleep\"}", "{\"id\":\"fz\\u12\",\"type\":\"test-sleep\"}",
                "{\"id\":\"unterminated,\"type\":\"test-sleep\"}", "{\"id\":\"a\nb\",\"type\":\"test-sleep\"}",
                "{\"id\":\"a\u0001b\",\"type\":\"test-sleep\"}", "{" + ok() + "}\u0000", "\u0000{" + ok() + "}",
                "{" + ok() + ",\"input\":{\"a\":[1,2}}", "{" + ok() + ",\"input\":{\"a\":1]}")) {
            cases.add(new Case("not JSON", "/api/jobs", broken, null));
        }
        // duplicate keys, at the top and inside the input
        cases.add(new Case("duplicate key", "/api/jobs", "{" + ok() + ",\"type\":\"test-sleep\"}", null));
        cases.add(new Case("duplicate key", "/api/jobs", "{\"id\":\"a\",\"id\":\"a\",\"type\":\"test-sleep\"}", null));
        cases.add(new Case("duplicate key", "/api/jobs", "{" + ok() + ",\"input\":{\"a\":1,\"a\":2}}", null));
        // unknown fields, including near misses of real ones
        for (String unknown : List.of("name", "ID", "Type", "maxAttempts", "restart-delay", "runAtStartup", "",
                " id", "id ", "__proto__", "constructor", "inputs", "schedule", "paused", "next_run", "source")) {
            cases.add(new Case("unknown field", "/api/jobs", "{" + ok() + ",\"" + unknown + "\":\"x\"}", unknown));
        }
        // wrong JSON types, field by field
        for (String field : STRING_FIELDS) {
            for (String wrong : List.of("1", "true", "[]", "{}", "1.5", "[\"x\"]", "{\"x\":1}")) {
                cases.add(new Case("wrong type", "/api/jobs", withField(field, wrong), field));
            }
        }
        for (String field : BOOLEAN_FIELDS) {
            for (String wrong : List.of("\"true\"", "1", "0", "\"false\"", "[]", "{}", "\"yes\"")) {
                cases.add(new Case("wrong type", "/api/jobs", withField(field, wrong), field));
            }
        }
        for (String wrong : List.of("\"1\"", "1.5", "1.0", "true", "[]", "{}", "1e3", "2147483648", "-2147483649",
                "99999999999999999999999", "0", "-1", "11", "1e400", "-1e400")) {
            cases.add(new Case("max_attempts", "/api/jobs", withField("max_attempts", wrong), "max_attempts"));
        }
        for (String wrong : List.of("[]", "\"{}\"", "1", "true", "[{\"a\":1}]")) {
            cases.add(new Case("wrong type", "/api/jobs", withField("input", wrong), "input"));
        }
        // values of the right type the scheduler could not use: a duration beyond a long of milliseconds, a cron
        // expression with no future fire time
        for (String field : List.of("timeout", "every", "catchup", "restart_delay")) {
            String mode = field.equals("restart_delay") ? ",\"mode\":\"continuous\"" : field.equals("catchup")
                    ? ",\"every\":\"1h\"" : "";
            cases.add(new Case("duration out of range", "/api/jobs",
                    "{" + ok() + mode + ",\"" + field + "\":\"PT9999999999999H\"}", field));
        }
        cases.add(new Case("cron in the past", "/api/jobs", "{" + ok() + ",\"cron\":\"0 0 0 1 1 ? 2000\"}", "cron"));
        // an unknown field is refused whatever its value, null included
        cases.add(new Case("unknown field", "/api/jobs", "{" + ok() + ",\"colour\":null}", "colour"));
        // numbers beyond a double, and over the parser's length bound
        cases.add(new Case("out of range", "/api/jobs", "{" + ok() + ",\"input\":{\"x\":1e400}}", "input.x"));
        cases.add(new Case("out of range", "/api/jobs", "{" + ok() + ",\"input\":{\"x\":[1,-1e999]}}", "input.x[1]"));
        cases.add(new Case("out of range", "/api/jobs", "{" + ok() + ",\"input\":{\"x\":" + "9".repeat(101) + "}}",
                null));
        // strings: unpaired surrogates, huge values, ids the rules refuse
        cases.add(new Case("lone surrogate", "/api/jobs", "{" + ok() + ",\"input\":{\"x\":\"\\ud800\"}}", "input.x"));
        cases.add(new Case("lone surrogate", "/api/jobs", "{" + ok() + ",\"input\":{\"x\":\"a\\udc00b\"}}", "input.x"));
        cases.add(new Case("lone surrogate", "/api/jobs", "{" + ok() + ",\"input\":{\"\\ud83d\":1}}", "input"));
        cases.add(new Case("huge", "/api/jobs", "{\"id\":\"" + "a".repeat(HUGE) + "\",\"type\":\"test-sleep\"}", null));
        cases.add(new Case("huge", "/api/jobs", "{" + ok() + ",\"input\":{\"x\":\"" + "é".repeat(HUGE) + "\"}}",
                null));
        cases.add(new Case("long id", "/api/jobs", "{\"id\":\"" + "a".repeat(101) + "\",\"type\":\"test-sleep\"}",
                "id"));
        cases.add(new Case("long type", "/api/jobs", "{\"id\":\"fz\",\"type\":\"" + "t".repeat(10_000) + "\"}",
                "type"));
        cases.add(new Case("long cron", "/api/jobs", "{\"id\":\"fz\",\"type\":\"test-sleep\",\"cron\":\""
                + "0 ".repeat(50_000) + "\"}", "cron"));
        // the parser bounds names too (50 000 characters), so which of the two mistakes is named is not fixed
        cases.add(new Case("long key", "/api/jobs", "{\"id\":\"Not Valid\",\"type\":\"test-sleep\",\"input\":{\""
                + "k".repeat(200_000) + "\":1}}", null));
        // nesting beyond the parser's depth bound
        for (int depth : new int[] {65, 1_000, 100_000}) {
            cases.add(new Case("deep", "/api/jobs", "{" + ok() + ",\"input\":{\"x\":" + "[".repeat(depth)
                    + "]".repeat(depth) + "}}", null));
        }
        cases.add(new Case("deep", "/api/jobs", "{" + ok() + ",\"input\":" + "{\"a\":".repeat(80) + "1"
                + "}".repeat(80) + "}", null));
        // bytes that are not UTF-8, where a lenient decoder would quietly store U+FFFD
        for (byte[] bad : invalidUtf8()) {
            cases.add(bytesCase("invalid UTF-8 in input", "/api/jobs", "{" + ok() + ",\"input\":{\"x\":\"", bad,
                    "\"}}"));
            cases.add(bytesCase("invalid UTF-8 in id", "/api/jobs", "{\"id\":\"fz", bad,
                    "\",\"type\":\"test-sleep\"}"));
        }
        cases.add(new Case("UTF-16", "/api/jobs", ("{" + ok() + "}").getBytes(StandardCharsets.UTF_16LE),
                "application/json", null));
        // a body sent with another content type is still the same body
        for (String type : List.of("text/plain", "application/json; charset=ISO-8859-1", "application/octet-stream")) {
            cases.add(new Case("content type " + type, "/api/jobs", "{\"id\":\"fz\",\"type\":\"test-sleep\",\"x\":1}"
                    .getBytes(StandardCharsets.UTF_8), type, "x"));
        }
        return cases;
    }

    private static List<Case> handWrittenTriggerBodies() {
        List<Case> cases = new ArrayList<>();
        for (String notObject : List.of("null", "true", "false", "0", "-7", "1.5", "\"text\"", "\"\"", "[]", "[{}]",
                "[1,2]", "[{\"sleep_ms\":1}]")) {
            cases.add(new Case("not an object", TARGET, notObject, "input"));
        }
        for (String broken : List.of("{", "}", "{\"a\":}", "{\"a\" 1}", "{'a':1}", "{a:1}", "{\"a\":1,}", "{\"a\":1}{}",
                "{\"a\":1} x", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":01}", "{\"a\":.5}",
                "{\"a\":1.}", "{\"a\":0x1F}", "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"unterminated}",
                "{\"a\":tru}", "{\"a\":undefined}", "// c\n{\"a\":1}", "{\"a\":1 /* c */}", "{\"a\":\"x\ty\"}",
                "{\"a\":\"\u0000\"}", "{\"a\":1}\u0000", ",", ":", "\"", "{\"a\":[}", "{\"a\":{]}", "{{}}", "{[]}")) {
            cases.add(new Case("not JSON", TARGET, broken, null));
        }
        cases.add(new Case("duplicate key", TARGET, "{\"a\":1,\"a\":1}", null));
        cases.add(new Case("duplicate key", TARGET, "{\"sleep_ms\":1,\"sleep_ms\":2}", null));
        cases.add(new Case("duplicate key", TARGET, "{\"a\":{\"b\":1,\"b\":2}}", null));
        cases.add(new Case("out of range", TARGET, "{\"sleep_ms\":1e400}", "sleep_ms"));
        cases.add(new Case("out of range", TARGET, "{\"a\":-1e400}", "a"));
        cases.add(new Case("out of range", TARGET, "{\"a\":{\"b\":[0,1e99999]}}", "a.b[1]"));
        cases.add(new Case("out of range", TARGET, "{\"a\":-" + "1".repeat(120) + "}", null));
        cases.add(new Case("lone surrogate", TARGET, "{\"a\":\"\\udfff\"}", "a"));
        cases.add(new Case("lone surrogate", TARGET, "{\"a\":\"\\ud83d\\u0041\"}", "a"));
        cases.add(new Case("huge", TARGET, "{\"a\":\"" + "x".repeat(HUGE) + "\"}", null));
        cases.add(new Case("deep", TARGET, "{\"a\":" + "[".repeat(65) + "]".repeat(65) + "}", null));
        cases.add(new Case("deep", TARGET, "[".repeat(100_000) + "]".repeat(100_000), null));
        for (byte[] bad : invalidUtf8()) {
            cases.add(bytesCase("invalid UTF-8 in value", TARGET, "{\"a\":\"", bad, "\"}"));
            cases.add(bytesCase("invalid UTF-8 in key", TARGET, "{\"", bad, "\":1}"));
        }
        return cases;
    }

    /** Byte sequences no UTF-8 decoder may accept. */
    private static List<byte[]> invalidUtf8() {
        return List.of(
                new byte[] {(byte) 0x80},                           // continuation byte alone
                new byte[] {(byte) 0xC0, (byte) 0xAF},              // overlong '/'
                new byte[] {(byte) 0xC3},                           // truncated 2-byte sequence
                new byte[] {(byte) 0xE2, (byte) 0x82},              // truncated 3-byte sequence
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate (CESU-8)
                new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // beyond U+10FFFF
                new byte[] {(byte) 0xFF},
                new byte[] {(byte) 0xFE, (byte) 0xFF},
                new byte[] {(byte) 0xE9});                          // Latin-1 'é'
    }

    // ---- generated --------------------------------------------------------------------------------------------

    /**
     * A valid job body broken in one way whose answer is certain: a field of the wrong JSON type, an unknown field or
     * a value the rules refuse (each named in {@code field}), or a break of the JSON itself.
     */
    private static List<Case> generatedJobBodies(Random random, int count) {
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ObjectNode job = validJob(random);
            String label = "seed " + Long.toHexString(SEED) + " #" + i + " ";
            switch (random.nextInt(12)) {
                case 0, 1 -> {
                    String field = pick(random, JOB_FIELDS);
                    job.set(field, wrongTypeFor(field, random));
                    cases.add(new Case(label + "wrong type of " + field, "/api/jobs", job.toString(), field));
                }
                case 2 -> {
                    String field = unknownFieldName(random);
                    job.set(field, randomValue(random, 2));
                    cases.add(new Case(label + "unknown field", "/api/jobs", job.toString(), field));
                }
                case 3, 4 -> {
                    String field = pick(random, List.of("id", "type", "mode", "cron", "every", "timeout", "queue",
                            "catchup", "restart_delay", "max_attempts"));
                    job.set(field, refusedValueFor(field, random));
                    cases.add(new Case(label + "refused " + field, "/api/jobs", job.toString(), field));
                }
                case 5 -> {
                    String text = job.toString();
                    cases.add(new Case(label + "truncated", "/api/jobs", text.substring(0, 1 + random.nextInt(
                            text.length() - 1)), null));
                }
                case 6 -> cases.add(new Case(label + "control character", "/api/jobs",
                        insertAt(job.toString(), random, String.valueOf(controlCharacter(random))), null));
                case 7 -> cases.add(invalidUtf8Case(label, "/api/jobs", job.toString(), random));
                case 8 -> {
                    String text = job.toString();
                    String key = pick(random, iterable(job));
                    cases.add(new Case(label + "duplicate " + key, "/api/jobs", text.substring(0, text.length() - 1)
                            + ",\"" + key + "\":" + job.get(key) + "}", null));
                }
                case 9 -> {
                    String key = "k" + random.nextInt(1000);
                    ((ObjectNode) job.get("input")).put(key, 0);
                    String number = (random.nextBoolean() ? "-" : "") + (1 + random.nextInt(9)) + "e" + (309
                            + random.nextInt(100_000));
                    cases.add(new Case(label + "number out of range", "/api/jobs",
                            job.toString().replace("\"" + key + "\":0", "\"" + key + "\":" + number), "input." + key));
                }
                case 10 -> {
                    int depth = 65 + random.nextInt(500);
                    String open = random.nextBoolean() ? "[" : "{\"d\":";
                    String close = open.equals("[") ? "]" : "}";
                    String text = job.toString();
                    cases.add(new Case(label + "nested " + depth, "/api/jobs", text.substring(0, text.length() - 1)
                            + ",\"input_deep\":" + open.repeat(depth) + "1".substring(open.equals("[") ? 1 : 0)
                            + close.repeat(depth) + "}", null));
                }
                default -> cases.add(new Case(label + "trailing garbage", "/api/jobs", job + pick(random,
                        List.of("}", "]", ",", " x", "{}", "[]", "0", "\"", ",{}", "null")), null));
            }
        }
        return cases;
    }

    private static List<Case> generatedTriggerBodies(Random random, int count) {
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String label = "seed " + Long.toHexString(SEED + 1) + " #" + i + " ";
            ObjectNode override = randomObject(random, 3);
            override.put("sleep_ms", 1);
            String text = override.toString();
            switch (random.nextInt(9)) {
                case 0, 1 -> {
                    JsonNode value = randomValue(random, 3);
                    if (value.isObject()) {
                        value = NODES.arrayNode().add(value);
                    }
                    cases.add(new Case(label + "not an object", TARGET, value.toString(), "input"));
                }
                case 2 -> cases.add(new Case(label + "truncated", TARGET,
                        text.substring(0, 1 + random.nextInt(text.length() - 1)), null));
                case 3 -> cases.add(new Case(label + "control character", TARGET,
                        insertAt(text, random, String.valueOf(controlCharacter(random))), null));
                case 4 -> cases.add(invalidUtf8Case(label, TARGET, text, random));
                case 5 -> cases.add(new Case(label + "duplicate key", TARGET,
                        text.substring(0, text.length() - 1) + ",\"sleep_ms\":2}", null));
                case 6 -> {
                    String number = (random.nextBoolean() ? "-" : "") + (1 + random.nextInt(9)) + "." + random.nextInt(
                            1000) + "E+" + (309 + random.nextInt(100_000));
                    cases.add(new Case(label + "number out of range", TARGET,
                            text.replace("\"sleep_ms\":1", "\"sleep_ms\":" + number), "sleep_ms"));
                }
                case 7 -> {
                    int depth = 65 + random.nextInt(2_000);
                    cases.add(new Case(label + "nested " + depth, TARGET, "{\"d\":" + "[".repeat(depth)
                            + "]".repeat(depth) + "}", null));
                }
                default -> cases.add(new Case(label + "lone surrogate", TARGET, text.replace("\"sleep_ms\":1",
                        "\"sleep_ms\":\"" + String.format("\\u%04x", 0xD800 + random.nextInt(0x800)) + "\""),
                        "sleep_ms"));
            }
        }
        return cases;
    }

    /**
     * An input that breaks a job type's contract in one field, each a certain 400 naming it: a trigger's override of
     * the node-cleanup job, or an API job's input of a contract type (the field is then {@code input.<name>}).
     */
    private static List<Case> schemaShapedBodies(Random random, int count) {
        List<Case> cases = new ArrayList<>();
        List<String> types = List.of("node-cleanup", "registry-gc", "backup");
        for (int i = 0; i < count; i++) {
            String label = "seed " + Long.toHexString(SEED + 2) + " #" + i + " ";
            boolean trigger = random.nextBoolean();
            String type = trigger ? "node-cleanup" : pick(random, types);
            List<String[]> fields = CONTRACTS.get(type);
            ObjectNode input = NODES.objectNode();
            String field;
            if (random.nextInt(5) == 0) {
                do {
                    field = pick(random, List.of("", "x_", "Data_dir", "dryRun", "grace-days", "__proto__"))
                            + randomText(random, random.nextInt(8));
                } while (contractField(fields, field) != null);
                input.set(field, randomValue(random, 3));
            } else {
                String[] f = pick(random, fields);
                field = f[0];
                input.set(field, garbageFor(f[1], random));
            }
            if (trigger) {
                cases.add(new Case(label + "contract " + field, CONTRACT_TARGET, input.toString(), field));
            } else {
                ObjectNode job = NODES.objectNode().put("id", "fz-s-" + i).put("type", type).put("mode", "one-shot");
                job.set("input", input);
                cases.add(new Case(label + type + " input " + field, "/api/jobs", job.toString(), "input." + field));
            }
        }
        return cases;
    }

    private static String[] contractField(List<String[]> fields, String name) {
        return fields.stream().filter(f -> f[0].equals(name)).findFirst().orElse(null);
    }

    /** A value the field's kind refuses: another JSON type, nested garbage, a value out of range, a huge string. */
    private static JsonNode garbageFor(String kind, Random random) {
        List<JsonNode> wrong = new ArrayList<>();
        wrong.add(randomObject(random, 3).put("k", 1));
        wrong.add(NODES.arrayNode().add(randomValue(random, 2)));
        wrong.add(NODES.textNode("x".repeat(200_000)));
        if (kind.startsWith("int")) {
            String[] range = kind.split(":");
            long min = Long.parseLong(range[1]);
            long max = Long.parseLong(range[2]);
            wrong.add(NODES.textNode(String.valueOf(min + random.nextInt(5))));
            wrong.add(NODES.booleanNode(random.nextBoolean()));
            wrong.add(NODES.numberNode(min - 1 - random.nextInt(1000)));
            wrong.add(NODES.numberNode(max + 1 + random.nextInt(1000)));
            wrong.add(NODES.numberNode(min + 0.5));
            wrong.add(NODES.numberNode(new java.math.BigInteger("9".repeat(20 + random.nextInt(40)))));
        } else if (kind.equals("bool")) {
            wrong.add(NODES.textNode(pick(random, List.of("true", "false", "yes", "0", ""))));
            wrong.add(NODES.numberNode(random.nextInt(2)));
        } else if (kind.equals("path")) {
            wrong.add(NODES.textNode("rel" + randomText(random, random.nextInt(10)).replace("/", "")));
            wrong.add(NODES.textNode(pick(random, List.of("/", "/opt/../etc", "/opt//data", "/opt/./data", "", " "))));
            wrong.add(NODES.numberNode(random.nextInt()));
            wrong.add(NODES.booleanNode(random.nextBoolean()));
        } else if (kind.equals("text")) {
            wrong.add(NODES.textNode(pick(random, List.of("", "  ", "a\u0001b", "line\nbreak"))));
            wrong.add(NODES.numberNode(random.nextInt()));
            wrong.add(NODES.booleanNode(random.nextBoolean()));
        } else {
            wrong.add(NODES.textNode(pick(random, List.of("soon", "0s", "-5m", "99999d", "10 minutes", ""))));
            wrong.add(NODES.numberNode(random.nextInt(1000)));
        }
        return pick(random, wrong);
    }

    /** A job body the API would accept: the mutations above each break it in exactly one way. */
    private static ObjectNode validJob(Random random) {
        ObjectNode job = NODES.objectNode();
        job.put("id", "fz-" + Integer.toString(random.nextInt(Integer.MAX_VALUE), 36));
        job.put("type", pick(random, List.of("test-sleep", "test-fail", "test-process")));
        switch (random.nextInt(3)) {
            case 0 -> job.put("mode", "one-shot");
            case 1 -> {
                job.put("mode", "queued");
                job.put("queue", "fz-queue");
                job.put("timeout", pick(random, List.of("90s", "10m", "PT1H")));
            }
            default -> {
                // a recurring body never reaches the scheduler here: every case breaks it first
                job.put("mode", "recurring");
                job.put("every", pick(random, List.of("1h", "10m", "1d")));
                job.put("catchup", "2h");
            }
        }
        job.put("enabled", random.nextBoolean());
        job.put("max_attempts", 1 + random.nextInt(10));
        job.set("input", randomObject(random, 3));
        return job;
    }

    /** A value of a JSON type the field does not take (never null: a null field counts as absent). */
    private static JsonNode wrongTypeFor(String field, Random random) {
        List<JsonNode> wrong = new ArrayList<>();
        if (!STRING_FIELDS.contains(field)) {
            wrong.add(NODES.textNode(randomText(random, 8)));
        }
        if (!BOOLEAN_FIELDS.contains(field)) {
            wrong.add(NODES.booleanNode(random.nextBoolean()));
        }
        if (!field.equals("max_attempts")) {
            wrong.add(NODES.numberNode(random.nextInt()));
        } else {
            wrong.add(NODES.numberNode(random.nextInt(10) + 0.5));
            wrong.add(NODES.numberNode(new java.math.BigInteger("9".repeat(10 + random.nextInt(40)))));
        }
        wrong.add(NODES.arrayNode().add(random.nextInt(5)));
        if (!field.equals("input")) {
            wrong.add(NODES.objectNode().put("v", random.nextInt(5)));
        }
        return pick(random, wrong);
    }

    /** A value of the right JSON type that the job rules refuse. */
    private static JsonNode refusedValueFor(String field, Random random) {
        String junk = randomText(random, 6) + "!";
        return switch (field) {
            case "id" -> NODES.textNode(pick(random, List.of("Upper" + junk, "-starts-with-dash", "has space",
                    "ünïcode", "a".repeat(101 + random.nextInt(200)), "dot.ted", "slash/ed")));
            case "type" -> NODES.textNode("zz-unknown-" + junk);
            case "mode" -> NODES.textNode(pick(random, List.of("Recurring", "oneshot", "one_shot", "cron", junk)));
            case "cron" -> NODES.textNode(pick(random, List.of(junk, "* * * * *", "61 * * * * ?", "0 0 25 * * ?")));
            case "queue" -> NODES.textNode(pick(random, List.of("Has Space", "UPPER", "-dash", junk)));
            case "max_attempts" -> NODES.numberNode(pick(random, List.of(0, -1, 11, Integer.MAX_VALUE,
                    Integer.MIN_VALUE, 11 + random.nextInt(1000))));
            default -> NODES.textNode(pick(random, List.of(junk, "0s", "-5m", "PT0S", "10 minutes", "1w", "P-1D",
                    "1000000000000d")));
        };
    }

    private static String unknownFieldName(Random random) {
        String name;
        do {
            name = pick(random, List.of("", "x_", "Id", "TYPE", "job_", "_"))
                    + randomText(random, 1 + random.nextInt(10));
        } while (JOB_FIELDS.contains(name));
        return name;
    }

    private static Case invalidUtf8Case(String label, String path, String text, Random random) {
        byte[] bad = pick(random, invalidUtf8());
        int at = 1 + random.nextInt(text.length() - 1);
        return bytesCase(label + "invalid UTF-8", path, text.substring(0, at), bad, text.substring(at));
    }

    private static Case bytesCase(String label, String path, String before, byte[] bad, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bad);
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return new Case(label, path, out.toByteArray(), "application/json", null);
    }

    private static ObjectNode randomObject(Random random, int depth) {
        ObjectNode object = NODES.objectNode();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            object.set("f" + i + randomText(random, 3), randomValue(random, depth - 1));
        }
        return object;
    }

    private static JsonNode randomValue(Random random, int depth) {
        int kind = random.nextInt(depth <= 0 ? 5 : 7);
        return switch (kind) {
            case 0 -> NODES.numberNode(random.nextInt());
            case 1 -> NODES.numberNode(random.nextDouble() * 1e6);
            case 2 -> NODES.textNode(randomText(random, random.nextInt(20)));
            case 3 -> NODES.booleanNode(random.nextBoolean());
            case 4 -> NODES.nullNode();
            case 5 -> randomObject(random, depth);
            default -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(randomValue(random, depth - 1));
                }
                yield array;
            }
        };
    }

    /** Text with letters, digits, punctuation, accents and a supplementary character: all of it valid UTF-8. */
    private static String randomText(Random random, int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/ \"\\'éßЖ中\u00a0";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            if (random.nextInt(30) == 0) {
                b.appendCodePoint(0x1F600 + random.nextInt(50));
            } else {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
        }
        return b.toString();
    }

    /** A character JSON forbids unescaped anywhere: outside strings it is not whitespace, inside it must be escaped. */
    private static char controlCharacter(Random random) {
        char c;
        do {
            c = (char) random.nextInt(0x20);
        } while (c == '\t' || c == '\n' || c == '\r');
        return c;
    }

    private static String insertAt(String text, Random random, String inserted) {
        int at = random.nextInt(text.length() + 1);
        return text.substring(0, at) + inserted + text.substring(at);
    }

    private static String withField(String field, String rawValue) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", "\"fz-typed-" + (++handWrittenIds) + "\"");
        fields.put("type", "\"test-sleep\"");
        fields.put(field, rawValue);
        StringBuilder b = new StringBuilder("{");
        fields.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return b.append('}').toString();
    }

    private static List<String> iterable(ObjectNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
