package io.nomadcamel.jobs.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.JolokiaClient;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Jolokia access policy against the running application, as a Jolokia client with valid credentials sees it:
 * what Hawtio needs to read and the few operations an operator needs answer 200; everything that could run a
 * program, change the application or leak a secret is refused and changes nothing.
 */
class JolokiaPolicyTest {

    private static final String USER = "ops";
    private static final String PASSWORD = "jolokia-pw-93be";
    /** Secrets the application holds; none may come out of any Jolokia answer. */
    private static final Map<String, String> SECRETS = Map.of(
            "PGPASSWORD", "pg-secret-5e1d", "S3_SECRET_KEY", "s3-secret-77a0", "NOMAD_TOKEN", "nomad-token-c4f2",
            "API_TOKEN", "api-token-0b9e", "TRIVY_TOKEN", "trivy-token-18d3", "DB_PASSWORD", "db-secret-6a6a");
    private static final String CONTEXT = "org.apache.camel:context=nomad-camel-jobs,name=\"nomad-camel-jobs\","
            + "type=context";

    private static AppProcess app;
    private static JolokiaClient jolokia;
    private static Path scratch;

    @BeforeAll
    static void start() {
        scratch = TempDirs.create("jolokia-policy");
        Map<String, String> env = new java.util.HashMap<>(SECRETS);
        env.put("JOLOKIA_USER", USER);
        env.put("JOLOKIA_PASSWORD", PASSWORD);
        app = AppProcess.start(env).awaitReady(Duration.ofSeconds(60));
        jolokia = JolokiaClient.of(app, USER, PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void theIssueReproductionRunsNoProgram() {
        Path marker = scratch.resolve("sent-by-jolokia");
        JsonNode answer = exec(CONTEXT, "sendBody(java.lang.String,java.lang.Object)",
                "exec:touch?args=" + marker, "x");
        assertRefused(answer);
        assertFalse(Files.exists(marker), "sendBody to exec: must not run touch");
    }

    @Test
    void everyOperationThatSendsCreatesOrChangesIsRefusedAndChangesNothing() {
        Path marker = scratch.resolve("any-of-these");
        String uri = "exec:touch?args=" + marker;
        int routes = read(CONTEXT, "TotalRoutes").asInt();
        int endpoints = search("org.apache.camel:type=endpoints,*").size();
        long timeout = read(CONTEXT, "Timeout").asLong();
        assertTrue(routes > 5 && endpoints > 5, "counted before: " + routes + " routes, " + endpoints + " endpoints");

        List<String> accepted = new ArrayList<>();
        refuse(accepted, CONTEXT, "sendBody(java.lang.String,java.lang.Object)", uri, "x");
        refuse(accepted, CONTEXT, "sendStringBody(java.lang.String,java.lang.String)", uri, "x");
        refuse(accepted, CONTEXT, "sendBodyAndHeaders(java.lang.String,java.lang.Object,java.util.Map)", uri, "x",
                Map.of());
        refuse(accepted, CONTEXT, "requestBody(java.lang.String,java.lang.Object)", uri, "x");
        refuse(accepted, CONTEXT, "requestStringBody(java.lang.String,java.lang.String)", uri, "x");
        refuse(accepted, CONTEXT, "requestBodyAndHeaders(java.lang.String,java.lang.Object,java.util.Map)", uri,
                "x", Map.of());
        refuse(accepted, CONTEXT, "sendBody", uri, "x");
        refuse(accepted, CONTEXT, "createEndpoint(java.lang.String)", "log:created-by-jolokia");
        refuse(accepted, CONTEXT, "createEndpoint", "log:created-by-jolokia");
        refuse(accepted, CONTEXT, "removeEndpoints(java.lang.String)", "*");
        refuse(accepted, CONTEXT, "canSendToEndpoint(java.lang.String)", uri);
        refuse(accepted, CONTEXT, "setTimeout(long)", 1);
        refuse(accepted, CONTEXT, "setTimeout", 1);
        refuse(accepted, CONTEXT, "setTracing(java.lang.Boolean)", true);
        refuse(accepted, CONTEXT, "setGlobalOption(java.lang.String,java.lang.String)", "x", "y");
        refuse(accepted, CONTEXT, "stop()");
        refuse(accepted, CONTEXT, "suspend()");
        refuse(accepted, CONTEXT, "restart()");
        refuse(accepted, CONTEXT, "dumpRoutesAsXml(boolean)", true);
        refuse(accepted, CONTEXT, "dumpRoutesAsYaml(boolean)", true);
        refuse(accepted, CONTEXT, "dumpRoutesAsYaml(boolean,boolean,boolean,boolean)", true, false, false, false);
        String route = route("backup-retention");
        refuse(accepted, route, "updateRouteFromXml(java.lang.String)",
                "<route id=\"backup-retention\"><from uri=\"direct:backup-retention\"/><to uri=\"" + uri
                        + "\"/></route>");
        refuse(accepted, route, "remove()");
        refuse(accepted, route, "restart()");
        refuse(accepted, route, "stopAndFail()");
        refuse(accepted, route, "setTracing(java.lang.Boolean)", true);
        refuse(accepted, route, "dumpRouteAsXml(boolean)", true);
        refuse(accepted, route, "dumpRouteAsYaml(boolean,boolean)", true, false);
        // a pattern reaches many MBeans at once: refused unless it is the very pattern of an <allow> rule, which
        // reaches only MBeans whose operation is allowed one by one anyway
        refuse(accepted, "org.apache.camel:*", "stop()");
        refuse(accepted, "*:*", "stop()");
        refuse(accepted, "com.sun.management:type=DiagnosticCommand", "vmSystemProperties()");
        refuse(accepted, "com.sun.management:type=DiagnosticCommand", "vmCommandLine()");
        refuse(accepted, "com.sun.management:type=DiagnosticCommand", "gcHeapDump([Ljava.lang.String;)",
                List.of(scratch.resolve("heap.hprof").toString()));
        refuse(accepted, "com.sun.management:type=HotSpotDiagnostic", "dumpHeap(java.lang.String,boolean)",
                scratch.resolve("heap2.hprof").toString(), true);
        refuse(accepted, "com.sun.management:type=HotSpotDiagnostic", "setVMOption(java.lang.String,java.lang.String)",
                "HeapDumpOnOutOfMemoryError", "true");
        refuse(accepted, "java.lang:type=Threading", "resetPeakThreadCount()");
        String awaitManager = search("org.apache.camel:type=services,name=DefaultAsyncProcessorAwaitManager,*").get(0)
                .asText();
        refuse(accepted, awaitManager, "interrupt(java.lang.String)", "1");
        refuse(accepted, "jdk.management.jfr:type=FlightRecorder", "newRecording()");
        refuse(accepted, "java.util.logging:type=Logging", "setLoggerLevel(java.lang.String,java.lang.String)", "",
                "OFF");
        String quartz = search("quartz:type=QuartzScheduler,*").get(0).asText();
        refuse(accepted, quartz, "pauseAllTriggers()");
        refuse(accepted, quartz, "standby()");
        refuse(accepted, quartz, "shutdown()");
        refuse(accepted, quartz, "triggerJob(java.lang.String,java.lang.String,java.util.Map)", "backup-daily", "jobs",
                Map.of());
        assertEquals(List.of(), accepted, "operations that answered without a refusal");

        JsonNode write = post(Map.of("type", "write", "mbean", CONTEXT, "attribute", "Timeout", "value", 1));
        assertRefused(write);
        JsonNode jvmWrite = post(Map.of("type", "write", "mbean", "java.lang:type=Memory", "attribute", "Verbose",
                "value", true));
        assertRefused(jvmWrite);

        assertFalse(Files.exists(marker), "no program ran");
        assertFalse(Files.exists(scratch.resolve("heap.hprof")) || Files.exists(scratch.resolve("heap2.hprof")),
                "no heap dump was written");
        assertEquals(routes, read(CONTEXT, "TotalRoutes").asInt(), "no route was added or removed");
        assertEquals(endpoints, search("org.apache.camel:type=endpoints,*").size(), "no endpoint was created");
        assertEquals(timeout, read(CONTEXT, "Timeout").asLong(), "no setting was changed");
        assertEquals("Started", read(route, "State").asText());
        assertEquals("Started", read(CONTEXT, "State").asText());
        assertFalse(read("java.lang:type=Memory", "Verbose").asBoolean());
    }

    @Test
    void hawtioReadsListsAndSearchesEverything() {
        assertEquals(200, post(Map.of("type", "version")).path("status").asInt());
        JsonNode list = post(Map.of("type", "list", "path", "org.apache.camel"));
        assertEquals(200, list.path("status").asInt(), list.toString());
        JsonNode routes = search("org.apache.camel:type=routes,*");
        assertTrue(routes.size() > 5, routes.toString());
        for (String attribute : List.of("State", "ExchangesTotal", "MeanProcessingTime", "Uptime", "RouteId")) {
            JsonNode value = post(Map.of("type", "read", "mbean", route("backup"), "attribute", attribute));
            assertEquals(200, value.path("status").asInt(), attribute + ": " + value);
        }
        JsonNode everything = post(Map.of("type", "read", "mbean", "org.apache.camel:type=context,*"));
        assertEquals(200, everything.path("status").asInt(), everything.toString());
        JsonNode quartz = post(Map.of("type", "read", "mbean", search("quartz:type=QuartzScheduler,*").get(0).asText()));
        assertEquals(200, quartz.path("status").asInt(), quartz.toString());
        assertTrue(quartz.path("value").path("AllTriggers").toString().contains("backup-daily"),
                "Quartz's triggers are visible: " + quartz.path("value").path("AllTriggers"));
        assertEquals(200, exec("java.lang:type=Threading", "dumpAllThreads(boolean,boolean)", false, false)
                .path("status").asInt());
        assertEquals(200, exec("java.lang:type=Memory", "gc()").path("status").asInt());
        assertEquals(200, exec(CONTEXT, "dumpRoutesStatsAsXml(boolean,boolean)", true, true).path("status").asInt());
        // Hawtio's route diagram sends these bare; its Exchanges tab browses the blocked exchanges
        assertEquals(200, exec(CONTEXT, "dumpRoutesStatsAsXml", true, true).path("status").asInt());
        assertEquals(200, exec(route("backup"), "dumpRouteStatsAsXml", true, true).path("status").asInt());
        String awaitManager = search("org.apache.camel:type=services,name=DefaultAsyncProcessorAwaitManager,*").get(0)
                .asText();
        assertEquals(200, exec(awaitManager, "browse()").path("status").asInt());
    }

    @Test
    void everyRouteDumpsAsYamlAndXmlWithoutResolvingSecrets() {
        for (JsonNode name : search("org.apache.camel:type=routes,*")) {
            for (String dump : List.of("dumpRouteAsYaml()", "dumpRouteAsXml()")) {
                JsonNode answer = exec(name.asText(), dump);
                assertEquals(200, answer.path("status").asInt(), name.asText() + " " + dump + ": " + answer);
                assertTrue(answer.path("value").asText().contains("route"), answer.toString());
            }
        }
        JsonNode all = exec(CONTEXT, "dumpRoutesAsYaml()");
        assertEquals(200, all.path("status").asInt(), all.toString());
        assertTrue(all.path("value").asText().contains("id: registry-gc"), "YAML of every route");
    }

    @Test
    void noAnswerCarriesASecret() {
        List<JsonNode> answers = List.of(
                post(Map.of("type", "read", "mbean", "*:*")),
                post(Map.of("type", "list")),
                post(Map.of("type", "version")),
                exec(CONTEXT, "dumpRoutesAsXml()"),
                exec(CONTEXT, "dumpRoutesAsYaml()"),
                exec(CONTEXT, "dumpRoutesStatsAsXml", true, true),
                exec(route("backup"), "dumpRouteStatsAsXml", true, true));
        for (JsonNode answer : answers) {
            assertEquals(200, answer.path("status").asInt(), answer.toString().substring(0, 300));
            String text = answer.toString();
            SECRETS.forEach((name, secret) -> assertFalse(text.contains(secret), name + " came out of Jolokia"));
            assertFalse(text.contains(PASSWORD), "the Jolokia password came out of Jolokia");
        }
    }

    @Test
    void anOperatorCanStopAndStartARoute() {
        String route = route("backup-retention");
        assertEquals(200, exec(route, "stop()").path("status").asInt());
        assertEquals("Stopped", read(route, "State").asText());
        assertEquals(200, exec(route, "start()").path("status").asInt());
        assertEquals("Started", read(route, "State").asText());
        assertEquals(200, exec(route, "reset(boolean)", true).path("status").asInt());
    }

    private void refuse(List<String> accepted, String mbean, String operation, Object... arguments) {
        JsonNode answer = exec(mbean, operation, arguments);
        if (!isRefusal(answer)) {
            accepted.add(mbean + " " + operation + " -> " + answer);
        }
    }

    private static void assertRefused(JsonNode answer) {
        assertTrue(isRefusal(answer), "expected a refusal: " + answer);
    }

    /** Jolokia answers a policy refusal with 403 (SecurityException), an ambiguous bare name with 400. */
    private static boolean isRefusal(JsonNode answer) {
        int status = answer.path("status").asInt();
        return status == 403 || status == 400 && answer.path("error").asText().contains("is overloaded");
    }

    private static String route(String id) {
        return "org.apache.camel:context=nomad-camel-jobs,name=\"" + id + "\",type=routes";
    }

    private static JsonNode read(String mbean, String attribute) {
        return jolokia.read(mbean, attribute);
    }

    private static JsonNode search(String pattern) {
        return jolokia.search(pattern);
    }

    private static JsonNode exec(String mbean, String operation, Object... arguments) {
        return jolokia.exec(mbean, operation, arguments);
    }

    private static JsonNode post(Object request) {
        return jolokia.request(request);
    }
}
