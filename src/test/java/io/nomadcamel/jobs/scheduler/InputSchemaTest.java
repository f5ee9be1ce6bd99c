package io.nomadcamel.jobs.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The contract subset: types, ranges, paths, durations, unknown fields, defaults, and the JSON Schema it shows. */
class InputSchemaTest {

    private static final InputSchema SCHEMA = InputSchema.of("sample")
            .integer("count", 4, 1, 64, "how many")
            .bool("dry_run", true, "report only")
            .text("name", "registry", "a name")
            .absolutePath("dir", "/opt/data", "a directory")
            .duration("wait", "how long")
            .build();

    @Test
    void absentAndNullFieldsTakeTheirDefaultsAndOptionalOnesStayAbsent() {
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("count", null);
        Map<String, Object> expected = Map.of("count", 4, "dry_run", true, "name", "registry", "dir", "/opt/data");
        assertEquals(expected, SCHEMA.check(Map.of()));
        assertEquals(expected, SCHEMA.check(withNull));
        assertEquals(Map.of("count", 8, "dry_run", false, "name", "x", "dir", "/srv/data", "wait", "90s"),
                SCHEMA.check(Map.of("count", 8.0, "dry_run", false, "name", " x ", "dir", "/srv/data/",
                        "wait", "90s")));
    }

    @Test
    void everyBreakNamesItsField() {
        assertField("count", Map.of("count", "abc"));
        assertField("count", Map.of("count", 0));
        assertField("count", Map.of("count", 65));
        assertField("count", Map.of("count", 1.5));
        assertField("count", Map.of("count", new BigInteger("9".repeat(40))));
        assertField("count", Map.of("count", List.of(1)));
        assertField("dry_run", Map.of("dry_run", "false"));
        assertField("dry_run", Map.of("dry_run", 0));
        assertField("name", Map.of("name", " "));
        assertField("name", Map.of("name", "a\nb"));
        assertField("name", Map.of("name", "n".repeat(200_000)));
        assertField("dir", Map.of("dir", "relative/dir"));
        assertField("dir", Map.of("dir", "/"));
        assertField("dir", Map.of("dir", "/opt/../etc"));
        assertField("dir", Map.of("dir", Map.of("nested", Map.of("deeper", List.of(1, Map.of())))));
        assertField("wait", Map.of("wait", "soon"));
        assertField("wait", Map.of("wait", "0s"));
        assertField("wait", Map.of("wait", 90));
        assertField("colour", Map.of("colour", "red", "count", "abc"));
    }

    @Test
    void theMessageShowsTheRuleAndACutValueNeverTheWholeInput() {
        var e = assertThrows(InputSchema.InvalidInputException.class,
                () -> SCHEMA.check(Map.of("name", "n".repeat(200_000))));
        assertTrue(e.getMessage().startsWith("sample input: name must be a non-empty string"), e.getMessage());
        assertTrue(e.getMessage().length() < 300, e.getMessage());
    }

    @Test
    void theJsonSchemaHasTypesRangesDefaultsAndNoOtherField() {
        Map<String, Object> schema = SCHEMA.jsonSchema();
        assertEquals("object", schema.get("type"));
        assertEquals(false, schema.get("additionalProperties"));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> properties = (Map<String, Map<String, Object>>) schema.get("properties");
        assertEquals(List.of("count", "dry_run", "name", "dir", "wait"), List.copyOf(properties.keySet()));
        assertEquals(Map.of("type", "integer", "minimum", 1L, "maximum", 64L, "default", 4, "description", "how many"),
                properties.get("count"));
        assertEquals(true, properties.get("dry_run").get("default"));
        assertEquals("^/", properties.get("dir").get("pattern"));
        assertTrue(!properties.get("wait").containsKey("default"));
    }

    @Test
    void aChoiceTakesOnlyItsValuesAndAListOfNamesKeepsEachNameExactly() {
        InputSchema drill = InputSchema.of("drill").choice("source", List.of("s3", "local"), "where")
                .textList("databases", "names").build();
        assertEquals(Map.of("source", "s3"), drill.check(Map.of()), "the first choice is the default");
        // names are data: spaces kept, quotes and unicode as given
        assertEquals(Map.of("source", "local", "databases", List.of(" a b ", "it's \"q\"", "☃")),
                drill.check(Map.of("source", "local", "databases", List.of(" a b ", "it's \"q\"", "☃"))));
        for (Object bad : List.of("S3", " s3", 1, List.of("s3"))) {
            var e = assertThrows(InputSchema.InvalidInputException.class, () -> drill.check(Map.of("source", bad)));
            assertEquals("source", e.field());
            assertTrue(e.getMessage().contains("must be one of s3, local"), e.getMessage());
        }
        for (Object bad : List.of("app", List.of("app", "app"), List.of(""), List.of("a\nb"), List.of(3),
                java.util.Collections.nCopies(1001, "x"))) {
            var e = assertThrows(InputSchema.InvalidInputException.class, () -> drill.check(Map.of("databases", bad)));
            assertEquals("databases", e.field(), e.getMessage());
        }
        Map<String, Object> schema = drill.jsonSchema();
        assertEquals("{type=string, enum=[s3, local], default=s3, description=where}",
                String.valueOf(((Map<?, ?>) schema.get("properties")).get("source")));
        assertEquals("array", ((Map<?, ?>) ((Map<?, ?>) schema.get("properties")).get("databases")).get("type"));
    }

    private static void assertField(String field, Map<String, Object> input) {
        var e = assertThrows(InputSchema.InvalidInputException.class, () -> SCHEMA.check(input), input.toString()
                .substring(0, Math.min(80, input.toString().length())));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }
}
