package io.nomadcamel.jobs.cleanup;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import io.nomadcamel.jobs.testsupport.FakeNomad;

/**
 * Benchmark (not a test; run by bench/node-cleanup.sh): 16 real sshd nodes whose every command starts 1 s late, so
 * that listing a data dir takes about 1 s, cleaned in a dry run one node at a time and then 8 at a time, in the same
 * process against the same nodes. Prints both wall times and their ratio (target: parallel / sequential <= 0.2).
 */
public final class NodeCleanupBench {

    private NodeCleanupBench() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Duration delay = Duration.ofMillis(args.length > 2 ? Long.parseLong(args[2]) : 1000);
        try (FakeNomad nomad = new FakeNomad()) {
            nomad.start();
            try (CleanupCluster cluster = CleanupCluster.create(nomad)) {
                for (int i = 0; i < nodes; i++) {
                    CleanupCluster.Node node = cluster.addNode(new CleanupCluster.Behaviour(delay, Duration.ZERO,
                            false));
                    for (int e = 0; e < 40; e++) {
                        DataDirs.entry(node.dir(), "job-" + e, Duration.ofDays(e % 14), true);
                    }
                }
                try (CleanupJobRunner runner = new CleanupJobRunner(cluster.settings())) {
                    Map<String, Object> input = Map.of("data_dir", cluster.dataDir().toString());
                    CleanupJobRunner.Outcome warmUp = run(runner, input, concurrency);
                    CleanupJobRunner.Outcome sequential = run(runner, input, 1);
                    CleanupJobRunner.Outcome parallel = run(runner, input, concurrency);
                    if (!sequential.totals().equals(parallel.totals())) {
                        throw new IllegalStateException("the two runs disagree: " + sequential.totals() + " vs "
                                + parallel.totals());
                    }
                    double ratio = seconds(parallel.took()) / seconds(sequential.took());
                    System.out.println();
                    System.out.printf(Locale.ROOT, "node-cleanup benchmark: %d nodes, every command %.1f s late "
                            + "(a listing takes ~%.1f s), dry run, %s entries per node%n", nodes, seconds(delay),
                            seconds(delay), 40);
                    System.out.printf(Locale.ROOT, "  warm-up          node_concurrency=%d: %6.2f s%n", concurrency,
                            seconds(warmUp.took()));
                    System.out.printf(Locale.ROOT, "  one by one       node_concurrency=1: %6.2f s%n",
                            seconds(sequential.took()));
                    System.out.printf(Locale.ROOT, "  in parallel      node_concurrency=%d: %6.2f s%n", concurrency,
                            seconds(parallel.took()));
                    System.out.printf(Locale.ROOT, "  ratio parallel/sequential: %.3f (target <= 0.2: %s)%n", ratio,
                            ratio <= 0.2 ? "met" : "NOT met");
                    System.out.printf(Locale.ROOT, "  per node beyond the delay, one by one: %.3f s (Nomad calls, SSH "
                            + "handshake, channel, find)%n", (seconds(sequential.took()) - nodes * seconds(delay))
                            / nodes);
                    System.out.println("  totals of each run: " + parallel.totals());
                }
            }
        }
    }

    private static CleanupJobRunner.Outcome run(CleanupJobRunner runner, Map<String, Object> input, int concurrency) {
        Map<String, Object> withConcurrency = new java.util.HashMap<>(input);
        withConcurrency.put("node_concurrency", concurrency);
        CleanupJobRunner.Outcome outcome = runner.run(withConcurrency);
        if (!outcome.succeeded()) {
            throw new IllegalStateException("benchmark run failed: " + outcome.error());
        }
        return outcome;
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
