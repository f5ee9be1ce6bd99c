package io.nomadcamel.jobs.cleanup;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The node-cleanup job's input, with the original worker's JSON names and defaults (design §5). Checked before any
 * node is touched: a wrong type or value fails the run naming the field, and so does an unknown field, because a
 * misspelt {@code "dryrun": false} must not leave an operator believing a live run happened (or the reverse).
 *
 * @param dataDir         Nomad's data dir on the clients: absolute, normalised, not the root
 * @param graceDays       entries younger than this many whole days are kept; equal is old
 * @param dryRun          report what would be deleted and delete nothing (the default)
 * @param dockerPrune     also run {@code docker system prune -af} (dry run: report {@code docker system df})
 * @param nodeConcurrency how many nodes are cleaned at once
 */
public record CleanupInput(Path dataDir, int graceDays, boolean dryRun, boolean dockerPrune, int nodeConcurrency) {

    public static final String DATA_DIR = "data_dir";
    public static final String GRACE_DAYS = "grace_days";
    public static final String DRY_RUN = "dry_run";
    public static final String DOCKER_PRUNE = "docker_prune";
    public static final String NODE_CONCURRENCY = "node_concurrency";

    static final int MAX_CONCURRENCY = 64;
    private static final Set<String> FIELDS = Set.of(DATA_DIR, GRACE_DAYS, DRY_RUN, DOCKER_PRUNE, NODE_CONCURRENCY);

    public static CleanupInput from(Map<String, Object> input) {
        Map<String, Object> in = input == null ? Map.of() : input;
        Set<String> unknown = new TreeSet<>(in.keySet());
        unknown.removeAll(FIELDS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("node-cleanup input: unknown field(s) " + unknown + " (known: "
                    + new TreeSet<>(FIELDS) + ")");
        }
        return new CleanupInput(dataDir(in.get(DATA_DIR)),
                whole(in, GRACE_DAYS, 7, 1, 36_500),
                bool(in, DRY_RUN, true),
                bool(in, DOCKER_PRUNE, false),
                whole(in, NODE_CONCURRENCY, 4, 1, MAX_CONCURRENCY));
    }

    private static Path dataDir(Object value) {
        if (value == null) {
            return Path.of("/opt/nomad/data");
        }
        if (!(value instanceof String text) || text.isBlank()) {
            throw invalid(DATA_DIR, "must be an absolute path such as /opt/nomad/data", value);
        }
        if (text.indexOf('\0') >= 0 || !text.startsWith("/")) {
            throw invalid(DATA_DIR, "must be an absolute path such as /opt/nomad/data", value);
        }
        Path path = Path.of(text);
        // "..", "." or "//" would make "a direct child of data_dir" mean something else than it reads
        if (!path.normalize().toString().equals(text.endsWith("/") && text.length() > 1
                ? text.substring(0, text.length() - 1) : text)) {
            throw invalid(DATA_DIR, "must be a normalised path (no '.', '..' or '//')", value);
        }
        if (path.getNameCount() == 0) {
            throw invalid(DATA_DIR, "must not be the root directory", value);
        }
        return path.normalize();
    }

    private static int whole(Map<String, Object> in, String field, int defaultValue, int min, int max) {
        Object value = in.get(field);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof Integer || value instanceof Long || value instanceof Short)) {
            throw invalid(field, "must be a whole number from " + min + " to " + max, value);
        }
        long n = ((Number) value).longValue();
        if (n < min || n > max) {
            throw invalid(field, "must be a whole number from " + min + " to " + max, value);
        }
        return (int) n;
    }

    private static boolean bool(Map<String, Object> in, String field, boolean defaultValue) {
        Object value = in.get(field);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof Boolean b)) {
            throw invalid(field, "must be true or false (a JSON boolean)", value);
        }
        return b;
    }

    private static IllegalArgumentException invalid(String field, String rule, Object value) {
        String shown = value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
        return new IllegalArgumentException("node-cleanup input: " + field + " " + rule + ", got " + shown);
    }

    /** The input as the result echoes it. */
    Map<String, Object> describe() {
        return Map.of(DATA_DIR, dataDir.toString(), GRACE_DAYS, graceDays, DRY_RUN, dryRun, DOCKER_PRUNE, dockerPrune,
                NODE_CONCURRENCY, nodeConcurrency);
    }
}
