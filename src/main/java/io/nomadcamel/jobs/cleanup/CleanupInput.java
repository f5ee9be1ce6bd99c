package io.nomadcamel.jobs.cleanup;

import java.nio.file.Path;
import java.util.Map;

/**
 * The node-cleanup job's input, with the original worker's JSON names and defaults (design §5); its rules are
 * {@link NodeCleanupJobType#INPUT}'s. Checked before any node is touched: a wrong type or value fails the run naming
 * the field, and so does an unknown field, because a misspelt {@code "dryrun": false} must not leave an operator
 * believing a live run happened (or the reverse).
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

    public static CleanupInput from(Map<String, Object> input) {
        Map<String, Object> in = NodeCleanupJobType.INPUT.check(input);
        return new CleanupInput(Path.of((String) in.get(DATA_DIR)), (int) in.get(GRACE_DAYS), (boolean) in.get(DRY_RUN),
                (boolean) in.get(DOCKER_PRUNE), (int) in.get(NODE_CONCURRENCY));
    }

    /** The input as the result echoes it. */
    Map<String, Object> describe() {
        return Map.of(DATA_DIR, dataDir.toString(), GRACE_DAYS, graceDays, DRY_RUN, dryRun, DOCKER_PRUNE, dockerPrune,
                NODE_CONCURRENCY, nodeConcurrency);
    }
}
