package io.nomadcamel.jobs.cleanup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.nomad.NomadClient;
import io.nomadcamel.jobs.scheduler.RunContext;
import io.nomadcamel.jobs.ssh.RemoteShell;
import io.nomadcamel.jobs.ssh.SshSettings;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;

/**
 * The node-cleanup job's run-level steps, in the order routes/node-cleanup.camel.yaml calls them: read the input
 * and settings, find the ready nodes, clean them in parallel (each through the route node-cleanup-node), report.
 * Settings are read when a run starts, so a missing SSH setting fails that run naming its variable.
 */
public class NodeCleanupJob {

    /** The docker CLI on the client nodes (DOCKER_BIN); tests point it at a fake. */
    public static final String DOCKER_BIN = "docker.bin";

    private final Supplier<Settings> settings;
    private final Consumer<NodeCleanup> nodeRoute;

    /** {@code nodeRoute} cleans one node (the node-cleanup-node route) and throws if that failed. */
    private final Supplier<io.micrometer.core.instrument.MeterRegistry> meters;

    public NodeCleanupJob(Supplier<Settings> settings, Consumer<NodeCleanup> nodeRoute) {
        this(settings, nodeRoute, io.micrometer.core.instrument.simple.SimpleMeterRegistry::new);
    }

    public NodeCleanupJob(Supplier<Settings> settings, Consumer<NodeCleanup> nodeRoute,
            Supplier<io.micrometer.core.instrument.MeterRegistry> meters) {
        this.settings = settings;
        this.nodeRoute = nodeRoute;
        this.meters = meters;
    }

    /** Checks the input and reads the settings (a missing SSH path fails here, naming its variable). */
    public CleanupRun prepare(@Body Map<String, Object> input, @ExchangeProperty(RunContext.PROPERTY) RunContext run) {
        CleanupInput in = CleanupInput.from(input);
        Settings s = settings.get();
        CleanupRun cleanup = new CleanupRun(in, run, new NomadNodes(NomadClient.from(s)), s.string(DOCKER_BIN, "docker"),
                SshSettings.from(s));
        in.describe().forEach(run::putResult);
        run.progress("node-cleanup" + (in.dryRun() ? " (dry run)" : "") + ": looking for ready nodes");
        return cleanup;
    }

    /** Nodes with Status ready in Nomad, sorted by name. */
    public CleanupRun findReadyNodes(@Body CleanupRun cleanup) {
        for (NomadNodes.Node node : cleanup.nomad().readyNodes()) {
            cleanup.nodes().add(new NodeCleanup(cleanup, node));
        }
        cleanup.run().progress("node-cleanup: " + cleanup.nodes().size() + " ready node(s)");
        return cleanup;
    }

    /**
     * Starts the SSH client (a key, certificate or CA file that cannot be read fails the run here, naming the file)
     * and cleans at most node_concurrency nodes at a time; every node is tried.
     */
    public CleanupRun cleanNodes(@Body CleanupRun cleanup) {
        if (cleanup.nodes().isEmpty()) {
            return cleanup;
        }
        RunContext run = cleanup.run();
        List<Map<String, Object>> finished = new ArrayList<>();
        try (RemoteShell shell = RemoteShell.start(cleanup.ssh())) {
            cleanup.shell(shell);
            ParallelNodes.forEach(cleanup.nodes(), cleanup.input().nodeConcurrency(), run, nodeRoute, node -> {
                // kept as the run goes, so a run stopped or timed out half-way still shows the nodes it finished
                synchronized (finished) {
                    finished.add(node.result());
                    run.putResult("nodes", List.copyOf(finished));
                    long failed = finished.stream().filter(r -> "failed".equals(r.get("status"))).count();
                    run.progress("node-cleanup: " + finished.size() + "/" + cleanup.nodes().size() + " nodes done"
                            + (failed > 0 ? ", " + failed + " failed" : "") + " (last: " + node.name() + ")");
                }
            });
        } finally {
            cleanup.shell(null);
        }
        return cleanup;
    }

    /** The run's result: each node, the totals; if any node failed, the run fails naming them (result kept). */
    public Map<String, Object> report(@Body CleanupRun cleanup) {
        List<Map<String, Object>> nodes = cleanup.nodes().stream().map(NodeCleanup::result).toList();
        Map<String, Object> result = new LinkedHashMap<>(cleanup.input().describe());
        result.put("nodes", nodes);
        Map<String, Object> totals = totals(nodes, cleanup.input().dryRun());
        result.put("totals", totals);
        if (totals.get("deleted") instanceof Number deleted && deleted.longValue() > 0) {
            io.micrometer.core.instrument.Counter.builder("ncj_cleanup_dirs_deleted_total")
                    .description("orphaned job directories deleted from client nodes").register(meters.get())
                    .increment(deleted.doubleValue());
        }
        List<NodeCleanup> failed = cleanup.nodes().stream().filter(NodeCleanup::failed).toList();
        result.put("failed_nodes", failed.stream().map(NodeCleanup::name).toList());
        result.forEach(cleanup.run()::putResult);
        if (!failed.isEmpty()) {
            throw new NodeCleanupFailedException(failed, cleanup.nodes().size());
        }
        cleanup.run().progress("node-cleanup: " + nodes.size() + " node(s) cleaned");
        return result;
    }

    private static Map<String, Object> totals(List<Map<String, Object>> nodes, boolean dryRun) {
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("nodes", nodes.size());
        totals.put("nodes_failed", nodes.stream().filter(n -> "failed".equals(n.get("status"))).count());
        for (String key : List.of("scanned", "orphaned", "deleted", "skipped", "docker_space_freed")) {
            totals.put(key, nodes.stream().mapToLong(n -> ((Number) n.get(key)).longValue()).sum());
        }
        if (dryRun) {
            totals.put("would_delete", nodes.stream().mapToLong(n -> ((List<?>) n.get("would_delete")).size()).sum());
        }
        return totals;
    }

    /** Some nodes could not be cleaned; the message names each with its first error. */
    public static final class NodeCleanupFailedException extends RuntimeException {
        NodeCleanupFailedException(List<NodeCleanup> failed, int total) {
            super(message(failed, total));
        }

        private static String message(List<NodeCleanup> failed, int total) {
            StringBuilder m = new StringBuilder("node-cleanup failed on ").append(failed.size()).append(" of ")
                    .append(total).append(" node(s): ");
            for (int i = 0; i < failed.size(); i++) {
                NodeCleanup node = failed.get(i);
                String error = String.valueOf(((List<?>) node.result().get("errors")).get(0));
                m.append(i == 0 ? "" : "; ").append(node.name())
                        .append(node.address() == null ? "" : " (" + node.address() + ")").append(": ")
                        .append(error.length() > 300 ? error.substring(0, 300) + "…" : error);
            }
            return m.toString();
        }
    }
}
