package io.nomadcamel.jobs.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JobDefinitionsTest {

    private final JobDefinitions definitions = new JobDefinitions(Set.of("backup", "node-cleanup"));
    private final ObjectMapper json = new ObjectMapper();

    private static Map<String, String> props(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void propertiesJobWithDefaults() {
        JobDefinition job = definitions.fromProperties("backup-daily", props("type", "backup", "cron", "0 0 1 * * ?",
                "input", "{\"local_days\":7}", "max-attempts", "2"));
        assertEquals(Mode.RECURRING, job.mode());
        assertEquals(JobDefinitions.DEFAULT_TIMEOUT, job.timeout());
        assertEquals(Duration.ofDays(1), job.catchup(), "catch-up defaults to one period of the cron");
        assertEquals(7, job.input().get("local_days"));
        assertEquals(2, job.maxAttempts());
        assertTrue(job.singleActiveRun());
    }

    @Test
    void queuedJobNeedsQueueAndTimeout() {
        assertField("jobs.c.queue", () -> definitions.fromProperties("c", props("type", "node-cleanup", "mode",
                "queued", "timeout", "1h")));
        assertField("jobs.c.timeout", () -> definitions.fromProperties("c", props("type", "node-cleanup", "mode",
                "queued", "queue", "cleanup")));
        JobDefinition ok = definitions.fromProperties("c", props("type", "node-cleanup", "mode", "queued", "queue",
                "cleanup", "timeout", "2h"));
        assertEquals(Duration.ofHours(2), ok.timeout());
        assertTrue(!ok.singleActiveRun(), "queued runs of one job may wait in line");
    }

    @Test
    void propertyErrorsNameJobAndField() {
        assertField("jobs.x.type", () -> definitions.fromProperties("x", props("type", "nope", "every", "1m")));
        assertField("jobs.x.cron", () -> definitions.fromProperties("x", props("type", "backup", "cron", "0 0 25 * * ?")));
        assertField("jobs.x.every", () -> definitions.fromProperties("x", props("type", "backup", "every", "often")));
        assertField("jobs.x.input", () -> definitions.fromProperties("x", props("type", "backup", "input", "[1,2]")));
        assertField("jobs.x.input", () -> definitions.fromProperties("x", props("type", "backup", "input", "{oops")));
        assertField("jobs.x.mode", () -> definitions.fromProperties("x", props("type", "backup", "mode", "daily")));
        assertField("jobs.x.cron", () -> definitions.fromProperties("x", props("type", "backup", "cron",
                "0 0 1 * * ?", "every", "1h")));
        assertField("jobs.x.restart-delay", () -> definitions.fromProperties("x", props("type", "backup",
                "restart-delay", "5s")));
        assertField("jobs.x.max-attempts", () -> definitions.fromProperties("x", props("type", "backup",
                "max-attempts", "0")));
        assertField("jobs.x.enabled", () -> definitions.fromProperties("x", props("type", "backup", "enabled", "y")));
        assertField("jobs.BAD ID.id", () -> definitions.fromProperties("BAD ID", props("type", "backup")));
    }

    @Test
    void jsonRejectsUnknownFieldsAndWrongTypes() throws Exception {
        assertField("colour", () -> definitions.fromJson(json.readTree("{\"id\":\"a\",\"type\":\"backup\","
                + "\"colour\":\"red\"}")));
        assertField("enabled", () -> definitions.fromJson(json.readTree("{\"id\":\"a\",\"type\":\"backup\","
                + "\"enabled\":\"yes\"}")));
        assertField("max_attempts", () -> definitions.fromJson(json.readTree("{\"id\":\"a\",\"type\":\"backup\","
                + "\"max_attempts\":1.5}")));
        assertField("input", () -> definitions.fromJson(json.readTree("{\"id\":\"a\",\"type\":\"backup\","
                + "\"input\":\"{}\"}")));
        assertField("restart_delay", () -> definitions.fromJson(json.readTree("{\"id\":\"a\",\"type\":\"backup\","
                + "\"mode\":\"continuous\",\"restart_delay\":\"soon\"}")));
        JobDefinition job = definitions.fromJson(json.readTree("{\"id\":\"a\",\"type\":\"backup\","
                + "\"mode\":\"continuous\",\"restart_delay\":\"30s\",\"input\":{\"k\":[1,2]}}"));
        assertEquals(Duration.ofSeconds(30), job.restartDelay());
        assertEquals(JobDefinition.Source.API, job.source());
    }

    @Test
    void schedulesAgreeOnSlots() {
        JobDefinition every = definitions.fromProperties("e", props("type", "backup", "every", "10m"));
        java.time.Instant t = java.time.Instant.parse("2026-01-01T00:07:00Z");
        assertEquals(java.time.Instant.parse("2026-01-01T00:10:00Z"), Schedules.next(every, t));
        assertEquals(3, Schedules.between(every, t, t.plus(Duration.ofMinutes(30)), 100).size());
        assertEquals(java.time.Instant.parse("2026-01-01T00:30:00Z"),
                Schedules.latestAtOrBefore(every, t, t.plus(Duration.ofMinutes(30))));
        assertEquals(2, Schedules.between(every, t, t.plus(Duration.ofMinutes(30)), 2).size(), "the newest 2");
    }

    private static void assertField(String field, org.junit.jupiter.api.function.Executable call) {
        InvalidJobException e = assertThrows(InvalidJobException.class, call);
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }
}
