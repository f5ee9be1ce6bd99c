package io.nomadcamel.jobs.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nomadcamel.jobs.Durations;
import org.quartz.CronExpression;

/**
 * Reads job definitions from {@code jobs.<id>.<field>} properties and from API JSON, and validates both by the
 * same rules. Field names are the JSON ones ({@code restart_delay}); properties write them with '-'
 * ({@code restart-delay}).
 */
public final class JobDefinitions {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(6);
    public static final Duration DEFAULT_RESTART_DELAY = Duration.ofSeconds(10);
    /** Ten years: longer durations would overflow the scheduler's arithmetic and mean nothing to an operator. */
    static final Duration MAX_DURATION = Duration.ofDays(3650);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");
    private static final Pattern QUEUE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");
    private static final Set<String> STRING_FIELDS =
            Set.of("id", "type", "mode", "cron", "every", "timeout", "queue", "catchup", "restart_delay");
    private static final Set<String> BOOLEAN_FIELDS = Set.of("enabled", "run_at_startup");
    private static final Set<String> INTEGER_FIELDS = Set.of("max_attempts");
    private static final Set<String> OBJECT_FIELDS = Set.of("input");

    private final Set<String> knownTypes;
    private final JobTypes contracts;

    public JobDefinitions(Set<String> knownTypes) {
        this(knownTypes, JobTypes.none());
    }

    /** {@code contracts}: the input contracts a job's input must keep (a type that declares none takes any). */
    public JobDefinitions(Set<String> knownTypes, JobTypes contracts) {
        this.knownTypes = knownTypes;
        this.contracts = contracts;
    }

    /** The route types jobs may have, sorted. */
    public Set<String> knownTypes() {
        return new java.util.TreeSet<>(knownTypes);
    }

    public JobTypes contracts() {
        return contracts;
    }

    /** A job from properties: {@code fields} maps a field ({@code cron}, {@code restart-delay}) to its value. */
    public JobDefinition fromProperties(String id, Map<String, String> fields) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        values.put("id", JSON.getNodeFactory().textNode(id));
        for (Map.Entry<String, String> e : fields.entrySet()) {
            String field = e.getKey().replace('-', '_');
            String key = "jobs." + id + "." + e.getKey();
            String text = e.getValue() == null ? "" : e.getValue().trim();
            JsonNode node;
            if (BOOLEAN_FIELDS.contains(field)) {
                node = switch (text) {
                    case "true" -> JSON.getNodeFactory().booleanNode(true);
                    case "false" -> JSON.getNodeFactory().booleanNode(false);
                    default -> throw new InvalidJobException(id, key, "must be true or false, got '" + text + "'");
                };
            } else if (INTEGER_FIELDS.contains(field)) {
                try {
                    node = JSON.getNodeFactory().numberNode(Integer.parseInt(text));
                } catch (NumberFormatException nfe) {
                    throw new InvalidJobException(id, key, "must be a whole number, got '" + text + "'");
                }
            } else if (OBJECT_FIELDS.contains(field)) {
                try {
                    node = JSON.readTree(text.isEmpty() ? "{}" : text);
                } catch (Exception parse) {
                    throw new InvalidJobException(id, key, "is not valid JSON: " + firstLine(parse.getMessage()));
                }
            } else {
                node = JSON.getNodeFactory().textNode(text);
            }
            values.put(field, node);
        }
        return validate(values, JobDefinition.Source.PROPERTIES, "jobs." + id + ".");
    }

    /** A job from the API: unknown fields and wrong JSON types are errors, as are the rules of {@link #validate}. */
    public JobDefinition fromJson(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidJobException(null, null, "the body must be a JSON object");
        }
        String id = body.path("id").isTextual() ? body.path("id").asText() : null;
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : ((ObjectNode) body).properties()) {
            String field = e.getKey();
            JsonNode v = e.getValue();
            boolean known = STRING_FIELDS.contains(field) || BOOLEAN_FIELDS.contains(field)
                    || INTEGER_FIELDS.contains(field) || OBJECT_FIELDS.contains(field);
            if (!known) {
                throw new InvalidJobException(id, field, "is not a job field");
            }
            if (v.isNull()) {
                continue;
            }
            if (STRING_FIELDS.contains(field)) {
                require(v.isTextual(), id, field, "must be a string");
            } else if (BOOLEAN_FIELDS.contains(field)) {
                require(v.isBoolean(), id, field, "must be true or false");
            } else if (INTEGER_FIELDS.contains(field)) {
                require(v.isIntegralNumber() && v.canConvertToInt(), id, field, "must be a whole number");
            } else if (OBJECT_FIELDS.contains(field)) {
                require(v.isObject(), id, field, "must be a JSON object");
            } else {
                throw new InvalidJobException(id, field, "is not a job field");
            }
            values.put(field, v);
        }
        return validate(values, JobDefinition.Source.API, "");
    }

    private JobDefinition validate(Map<String, JsonNode> v, JobDefinition.Source source, String prefix) {
        String id = text(v, "id");
        if (id == null || !ID.matcher(id).matches()) {
            throw new InvalidJobException(id, field(prefix, "id"),
                    "must be 1-100 characters of a-z, 0-9, '-' and '_', starting with a letter or digit");
        }
        String type = text(v, "type");
        if (type == null) {
            throw new InvalidJobException(id, field(prefix, "type"), "is required (one of " + knownTypes + ")");
        }
        if (!knownTypes.contains(type)) {
            throw new InvalidJobException(id, field(prefix, "type"), "'" + type + "' is not a job type (known: "
                    + knownTypes + ")");
        }
        String cron = text(v, "cron");
        Duration every = duration(v, "every", id, prefix);
        String modeText = text(v, "mode");
        Mode mode;
        if (modeText == null) {
            mode = cron != null || every != null ? Mode.RECURRING : Mode.ONE_SHOT;
        } else {
            mode = Mode.parse(modeText).orElseThrow(() -> new InvalidJobException(id, field(prefix, "mode"),
                    "must be recurring, one-shot, continuous or queued, got '" + modeText + "'"));
        }
        if (mode == Mode.RECURRING) {
            if ((cron == null) == (every == null)) {
                throw new InvalidJobException(id, field(prefix, "cron"), "or " + field(prefix, "every") + ": a recurring job needs "
                        + "exactly one of them");
            }
        } else if (cron != null || every != null) {
            throw new InvalidJobException(id, field(prefix, cron != null ? "cron" : "every"),
                    "only applies to recurring jobs, and this job is " + mode.text());
        }
        if (cron != null && !CronExpression.isValidExpression(cron)) {
            throw new InvalidJobException(id, field(prefix, "cron"), "'" + cron + "' is not a Quartz cron expression "
                    + "(seconds first, e.g. '0 0 1 * * ?')");
        }
        if (cron != null && period(cron, null) == null) {
            throw new InvalidJobException(id, field(prefix, "cron"), "'" + cron + "' never fires again");
        }
        if (every != null && every.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidJobException(id, field(prefix, "every"), "must be at least 1s");
        }
        Duration timeout = duration(v, "timeout", id, prefix);
        String queue = text(v, "queue");
        if (mode == Mode.QUEUED && queue == null) {
            throw new InvalidJobException(id, field(prefix, "queue"), "is required for a queued job");
        }
        if (mode == Mode.QUEUED && timeout == null) {
            throw new InvalidJobException(id, field(prefix, "timeout"), "is required for a queued job: a stuck run would "
                    + "hold its queue forever");
        }
        if (queue != null && !QUEUE.matcher(queue).matches()) {
            throw new InvalidJobException(id, field(prefix, "queue"), "must be 1-100 characters of a-z, 0-9, '-' and '_'");
        }
        if (timeout != null && timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidJobException(id, field(prefix, "timeout"), "must be at least 1s");
        }
        Duration catchup = duration(v, "catchup", id, prefix);
        if (catchup != null && mode != Mode.RECURRING) {
            throw new InvalidJobException(id, field(prefix, "catchup"), "only applies to recurring jobs");
        }
        Duration restartDelay = duration(v, "restart_delay", id, prefix);
        if (restartDelay != null && mode != Mode.CONTINUOUS) {
            throw new InvalidJobException(id, field(prefix, "restart_delay"), "only applies to continuous jobs");
        }
        int maxAttempts = v.containsKey("max_attempts") ? v.get("max_attempts").asInt() : 1;
        if (maxAttempts < 1 || maxAttempts > 10) {
            throw new InvalidJobException(id, field(prefix, "max_attempts"), "must be from 1 to 10");
        }
        boolean runAtStartup = v.containsKey("run_at_startup") && v.get("run_at_startup").asBoolean();
        if (runAtStartup && mode != Mode.ONE_SHOT) {
            throw new InvalidJobException(id, field(prefix, "run_at_startup"), "only applies to one-shot jobs");
        }
        JsonNode inputNode = v.get("input");
        if (inputNode != null && !inputNode.isObject()) {
            throw new InvalidJobException(id, field(prefix, "input"), "must be a JSON object");
        }
        Map<String, Object> input = inputNode == null ? Map.of()
                : JSON.convertValue(inputNode, new TypeReference<Map<String, Object>>() { });
        try {
            contracts.check(type, input);
        } catch (InputSchema.InvalidInputException e) {
            // jobs.<id>.input.<field> in properties, input.<field> in JSON: input field names keep their '_'
            throw new InvalidJobException(id, prefix + "input." + e.field(), e.problem());
        }
        boolean enabled = !v.containsKey("enabled") || v.get("enabled").asBoolean();
        if (mode == Mode.RECURRING && catchup == null) {
            catchup = period(cron, every);
        }
        return new JobDefinition(id, type, mode, cron, every, timeout == null ? DEFAULT_TIMEOUT : timeout, queue,
                input, enabled, catchup, restartDelay == null ? DEFAULT_RESTART_DELAY : restartDelay, maxAttempts,
                runAtStartup, source);
    }

    /** One period of the schedule: the interval, or the gap between a cron expression's next two slots. */
    static Duration period(String cron, Duration every) {
        if (every != null) {
            return every;
        }
        try {
            CronExpression expression = new CronExpression(cron);
            Date first = expression.getNextValidTimeAfter(Date.from(Instant.now()));
            if (first == null) {
                return null;
            }
            Date second = expression.getNextValidTimeAfter(first);
            return second == null ? Duration.ofDays(1) : Duration.between(first.toInstant(), second.toInstant());
        } catch (java.text.ParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A field's name as the operator wrote it: {@code jobs.x.restart-delay} in properties, {@code restart_delay} in JSON. */
    private static String field(String prefix, String field) {
        return prefix.isEmpty() ? field : prefix + field.replace('_', '-');
    }

    private static String text(Map<String, JsonNode> v, String field) {
        JsonNode node = v.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        String text = node.asText().trim();
        return text.isEmpty() ? null : text;
    }

    private static Duration duration(Map<String, JsonNode> v, String field, String id, String prefix) {
        String text = text(v, field);
        if (text == null) {
            return null;
        }
        try {
            Duration d = Durations.parse(text);
            if (d.isNegative() || d.isZero() || d.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException("out of range");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException(id, field(prefix, field),
                    "'" + text + "' is not a duration from 1ms to 3650d (write 90s, 10m, 3h, 1d or PT10M)");
        }
    }

    private static void require(boolean ok, String id, String field, String problem) {
        if (!ok) {
            throw new InvalidJobException(id, field, problem);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
