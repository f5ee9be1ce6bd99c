package io.nomadcamel.jobs.scheduler;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import io.nomadcamel.jobs.Durations;

/**
 * A job type's input contract: its fields with their JSON types, ranges and defaults, and no other field. One
 * declaration gives both the check every door makes (a trigger's override merged over the job's input, an API job's
 * input, a properties job's input at start-up, and the route's own step as a second line) and the JSON Schema that
 * {@code GET /api/job-types} shows. The schema is the small subset of JSON Schema (2020-12) this needs: an object of
 * integer, boolean and string properties, {@code minimum}/{@code maximum}, {@code maxLength}, {@code pattern},
 * {@code default} and {@code additionalProperties: false}. A field given as JSON null takes its default.
 */
public final class InputSchema {

    /** The JSON types and rules a field can have. */
    public enum Kind { INTEGER, BOOLEAN, TEXT, ABSOLUTE_PATH, DURATION, CHOICE, TEXT_LIST }

    /** Longest string a text field takes: names and image references, never documents. */
    public static final int MAX_TEXT = 1000;
    /** Longest absolute path (Linux PATH_MAX). */
    public static final int MAX_PATH = 4096;
    private static final Duration MAX_DURATION = Duration.ofDays(30);

    /**
     * One input field.
     *
     * @param defaultValue what an absent (or null) field means; null: the field is optional with no value
     */
    public record Field(String name, Kind kind, Object defaultValue, long min, long max, String description,
            List<String> choices) {
        public Field(String name, Kind kind, Object defaultValue, long min, long max, String description) {
            this(name, kind, defaultValue, min, max, description, List.of());
        }
    }

    /** Most items a list field takes. */
    public static final int MAX_ITEMS = 1000;

    private final String type;
    private final Map<String, Field> fields;

    private InputSchema(String type, Map<String, Field> fields) {
        this.type = type;
        this.fields = Collections.unmodifiableMap(fields);
    }

    public static Builder of(String type) {
        return new Builder(type);
    }

    public String type() {
        return type;
    }

    public List<Field> fields() {
        return List.copyOf(fields.values());
    }

    /**
     * Checks an input against the contract and answers it with every default filled in (optional fields without a
     * value are left out). The first problem found is thrown, naming its field: an unknown field first, then the
     * fields in their declared order.
     */
    public Map<String, Object> check(Map<String, ?> input) {
        Map<String, ?> in = input == null ? Map.of() : input;
        TreeSet<String> unknown = new TreeSet<>(in.keySet());
        unknown.removeAll(fields.keySet());
        if (!unknown.isEmpty()) {
            throw new InvalidInputException(type, unknown.first(), "is not a field (fields: "
                    + String.join(", ", fields.keySet()) + ")");
        }
        Map<String, Object> checked = new LinkedHashMap<>();
        for (Field field : fields.values()) {
            Object value = in.get(field.name());
            Object result = value == null ? field.defaultValue() : checkValue(field, value);
            if (result != null) {
                checked.put(field.name(), result);
            }
        }
        return checked;
    }

    private Object checkValue(Field field, Object value) {
        return switch (field.kind()) {
            case INTEGER -> {
                Long n = wholeNumber(value);
                if (n == null || n < field.min() || n > field.max()) {
                    throw invalid(field, "must be a whole number from " + field.min() + " to " + field.max(), value);
                }
                yield n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE ? (Object) n.intValue() : (Object) n;
            }
            case BOOLEAN -> {
                if (!(value instanceof Boolean)) {
                    throw invalid(field, "must be true or false (a JSON boolean)", value);
                }
                yield value;
            }
            case TEXT -> {
                if (!(value instanceof String s) || s.isBlank() || s.length() > MAX_TEXT || hasControl(s)) {
                    throw invalid(field, "must be a non-empty string of at most " + MAX_TEXT
                            + " characters without control characters", value);
                }
                yield s.trim();
            }
            case CHOICE -> {
                if (!(value instanceof String s) || !field.choices().contains(s)) {
                    throw invalid(field, "must be one of " + String.join(", ", field.choices()), value);
                }
                yield s;
            }
            case TEXT_LIST -> textList(field, value);
            case ABSOLUTE_PATH -> absolutePath(field, value);
            case DURATION -> {
                String rule = "must be a duration from 1s to 30d such as 90s, 10m or 2h";
                if (!(value instanceof String s) || s.length() > 40) {
                    throw invalid(field, rule, value);
                }
                try {
                    Duration d = Durations.parse(s.trim());
                    if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(MAX_DURATION) > 0) {
                        throw invalid(field, rule, value);
                    }
                } catch (IllegalArgumentException e) {
                    throw invalid(field, rule, value);
                }
                yield s.trim();
            }
        };
    }

    /** Distinct non-empty strings, kept exactly as given (names are data: no trimming). */
    private List<String> textList(Field field, Object value) {
        String rule = "must be an array of at most " + MAX_ITEMS + " distinct non-empty strings of at most "
                + MAX_TEXT + " characters without control characters";
        if (!(value instanceof List<?> list) || list.size() > MAX_ITEMS) {
            throw invalid(field, rule, value);
        }
        List<String> items = new java.util.ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String s) || s.isEmpty() || s.length() > MAX_TEXT || hasControl(s)
                    || items.contains(s)) {
                throw invalid(field, rule, item);
            }
            items.add(s);
        }
        return List.copyOf(items);
    }

    /** Absolute, normalised (no '.', '..' or '//': "a child of this dir" must mean what it reads), not the root. */
    private String absolutePath(Field field, Object value) {
        String rule = "must be an absolute path such as " + field.defaultValue();
        if (!(value instanceof String text) || text.isBlank() || text.length() > MAX_PATH || hasControl(text)
                || !text.startsWith("/")) {
            throw invalid(field, rule, value);
        }
        String trimmed = text.length() > 1 && text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        Path path = Path.of(text);
        if (!path.normalize().toString().equals(trimmed)) {
            throw invalid(field, "must be a normalised path (no '.', '..' or '//')", value);
        }
        if (path.getNameCount() == 0) {
            throw invalid(field, "must not be the root directory", value);
        }
        return path.normalize().toString();
    }

    private static Long wholeNumber(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big) {
            return big.bitLength() < 64 ? big.longValue() : null;
        }
        if (value instanceof Number number && !(value instanceof Double d && !Double.isFinite(d))) {
            // JSON Schema: 8.0 is an integer
            try {
                return new BigDecimal(number.toString()).longValueExact();
            } catch (ArithmeticException | NumberFormatException notWhole) {
                return null;
            }
        }
        return null;
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private InvalidInputException invalid(Field field, String rule, Object value) {
        return new InvalidInputException(type, field.name(), rule + ", got " + describe(value));
    }

    /** The value as the message shows it: strings quoted and cut, objects and arrays by their kind only. */
    private static String describe(Object value) {
        if (value instanceof String s) {
            return "\"" + shorten(s) + "\"";
        }
        if (value instanceof Map<?, ?>) {
            return "an object";
        }
        if (value instanceof List<?>) {
            return "an array";
        }
        return shorten(String.valueOf(value));
    }

    private static String shorten(String s) {
        String printable = s.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() > 60 ? printable.substring(0, 60) + "…(" + s.length() + " characters)" : printable;
    }

    /** The contract as JSON Schema, defaults included, for {@code GET /api/job-types} and the console's form. */
    public Map<String, Object> jsonSchema() {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (Field f : fields.values()) {
            Map<String, Object> p = new LinkedHashMap<>();
            switch (f.kind()) {
                case INTEGER -> {
                    p.put("type", "integer");
                    p.put("minimum", f.min());
                    p.put("maximum", f.max());
                }
                case BOOLEAN -> p.put("type", "boolean");
                case TEXT -> {
                    p.put("type", "string");
                    p.put("minLength", 1);
                    p.put("maxLength", MAX_TEXT);
                }
                case CHOICE -> {
                    p.put("type", "string");
                    p.put("enum", f.choices());
                }
                case TEXT_LIST -> {
                    p.put("type", "array");
                    p.put("items", Map.of("type", "string", "minLength", 1, "maxLength", MAX_TEXT));
                    p.put("maxItems", MAX_ITEMS);
                    p.put("uniqueItems", true);
                }
                case ABSOLUTE_PATH -> {
                    p.put("type", "string");
                    p.put("format", "absolute-path");
                    p.put("pattern", "^/");
                    p.put("maxLength", MAX_PATH);
                }
                case DURATION -> {
                    p.put("type", "string");
                    p.put("format", "duration");
                    p.put("pattern", "^([0-9]+(ms|s|m|h|d)|P.*)$");
                    p.put("examples", List.of("90s", "10m", "2h"));
                }
            }
            if (f.defaultValue() != null) {
                p.put("default", f.defaultValue());
            }
            p.put("description", f.description());
            properties.put(f.name(), p);
        }
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("title", type + " input");
        schema.put("type", "object");
        schema.put("properties", properties);
        schema.put("additionalProperties", false);
        return schema;
    }

    /** Declares the fields in the order the console shows them. */
    public static final class Builder {
        private final String type;
        private final Map<String, Field> fields = new LinkedHashMap<>();

        private Builder(String type) {
            this.type = type;
        }

        public Builder integer(String name, int defaultValue, long min, long max, String description) {
            return add(new Field(name, Kind.INTEGER, defaultValue, min, max, description));
        }

        public Builder bool(String name, boolean defaultValue, String description) {
            return add(new Field(name, Kind.BOOLEAN, defaultValue, 0, 0, description));
        }

        /** A non-empty string; {@code defaultValue} null: optional. */
        public Builder text(String name, String defaultValue, String description) {
            return add(new Field(name, Kind.TEXT, defaultValue, 0, 0, description));
        }

        /** One of these strings; the first is the default. */
        public Builder choice(String name, List<String> choices, String description) {
            return add(new Field(name, Kind.CHOICE, choices.get(0), 0, 0, description, List.copyOf(choices)));
        }

        /** An optional list of distinct strings (names), no default. */
        public Builder textList(String name, String description) {
            return add(new Field(name, Kind.TEXT_LIST, null, 0, 0, description));
        }

        public Builder absolutePath(String name, String defaultValue, String description) {
            return add(new Field(name, Kind.ABSOLUTE_PATH, defaultValue, 0, 0, description));
        }

        /** An optional duration ({@code 90s}, {@code 10m}): no default, its absence means the setting's value. */
        public Builder duration(String name, String description) {
            return add(new Field(name, Kind.DURATION, null, 0, 0, description));
        }

        private Builder add(Field field) {
            if (fields.putIfAbsent(field.name(), field) != null) {
                throw new IllegalArgumentException(type + ": field " + field.name() + " declared twice");
            }
            return this;
        }

        public InputSchema build() {
            return new InputSchema(type, new LinkedHashMap<>(fields));
        }
    }

    /** An input that breaks the contract: {@link #field()} names the input field, {@link #problem()} what is wrong. */
    public static final class InvalidInputException extends IllegalArgumentException {
        private final String field;
        private final String problem;

        InvalidInputException(String type, String field, String problem) {
            super(type + " input: " + shorten(field) + " " + problem);
            this.field = field;
            this.problem = problem;
        }

        public String field() {
            return field;
        }

        public String problem() {
            return problem;
        }
    }
}
