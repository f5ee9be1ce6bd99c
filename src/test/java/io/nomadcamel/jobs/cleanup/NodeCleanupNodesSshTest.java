package io.nomadcamel.jobs.cleanup;

import static io.nomadcamel.jobs.cleanup.DataDirs.DAY;
import static io.nomadcamel.jobs.cleanup.DataDirs.entry;
import static io.nomadcamel.jobs.cleanup.DataDirs.names;
import static io.nomadcamel.jobs.cleanup.DataDirs.populate;
import static io.nomadcamel.jobs.cleanup.DataDirs.runJob;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.nomadcamel.jobs.scheduler.RunContextAccess;
import org.junit.jupiter.api.Test;

/**
 * node-cleanup across several real sshd nodes: every node is tried when one is unreachable, nodes are cleaned in
 * parallel within node_concurrency, and stopping a run ends it between deletes, killing the delete under way.
 */
class NodeCleanupNodesSshTest extends CleanupSshTestBase {

    @Test
    void anUnreachableNodeFailsTheRunNamingItWhileTheOtherNodesAreCleaned() throws Exception {
        CleanupCluster.Node first = cluster.addNode();
        CleanupCluster.Node unreachable = cluster.addUnreachableNode();
        CleanupCluster.Node third = cluster.addNode();
        runJob(NOMAD, "api", first);
        runJob(NOMAD, "db", third);
        Set<String> firstOrphans = populate(first.dir(), "api");
        Set<String> thirdOrphans = populate(third.dir(), "db");

        CleanupJobRunner.Outcome outcome = runner().run(Map.of("data_dir", cluster.dataDir().toString(),
                "dry_run", false, "node_concurrency", 3));

        assertFalse(outcome.succeeded());
        assertTrue(outcome.error().startsWith("node-cleanup failed on 1 of 3 node(s): " + unreachable.name() + " ("
                + unreachable.ip() + "): " + unreachable.ip() + ":"), outcome.error());
        assertTrue(outcome.error().contains("cannot connect"), outcome.error());
        assertTrue(names(first.dir()).stream().noneMatch(firstOrphans::contains), names(first.dir()).toString());
        assertTrue(names(third.dir()).stream().noneMatch(thirdOrphans::contains), names(third.dir()).toString());
        assertTrue(names(first.dir()).contains("api-3"));
        // the partial result a failed run keeps names every node and what happened there
        assertEquals("failed", outcome.node(unreachable.name()).get("status"));
        assertEquals("ok", outcome.node(first.name()).get("status"));
        assertEquals(firstOrphans.size(), ((Number) outcome.node(first.name()).get("deleted")).intValue());
        assertEquals(thirdOrphans.size(), ((Number) outcome.node(third.name()).get("deleted")).intValue());
        assertEquals(List.of(unreachable.name()), outcome.kept().get("failed_nodes"));
        assertEquals(1L, ((Number) outcome.totals().get("nodes_failed")).longValue());
        assertEquals((long) firstOrphans.size() + thirdOrphans.size(),
                ((Number) outcome.totals().get("deleted")).longValue());
    }

    @Test
    void nodesAreCleanedInParallelButNeverMoreThanNodeConcurrencyAtOnce() throws Exception {
        List<CleanupCluster.Node> nodes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            nodes.add(cluster.addNode(new CleanupCluster.Behaviour(Duration.ofMillis(1500), Duration.ZERO, true)));
        }

        CleanupJobRunner.Outcome outcome = runner().run(Map.of("data_dir", cluster.dataDir().toString(),
                "node_concurrency", 2));

        assertTrue(outcome.succeeded(), outcome.error());
        List<double[]> spans = new ArrayList<>();
        for (CleanupCluster.Node node : nodes) {
            for (String line : Files.readAllLines(node.spans())) {
                String[] parts = line.split(" ");
                spans.add(new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1])});
            }
        }
        assertEquals(8, spans.size(), "two commands per node: the listing and the read of its client-id");
        assertEquals(2, maxOverlap(spans), "two nodes at a time: " + outcome.took());
    }

    private static int maxOverlap(List<double[]> spans) {
        int max = 0;
        for (double[] s : spans) {
            int at = 0;
            for (double[] other : spans) {
                if (other[0] <= s[0] && s[0] < other[1]) {
                    at++;
                }
            }
            max = Math.max(max, at);
        }
        return max;
    }

    @Test
    void stoppingTheRunEndsItBetweenDeletesAndKillsTheRunningCommand() throws Exception {
        CleanupCluster.Node node = cluster.addNode(new CleanupCluster.Behaviour(Duration.ZERO, Duration.ofSeconds(3),
                false));
        Set<String> orphans = new TreeSet<>();
        for (int i = 0; i < 6; i++) {
            entry(node.dir(), "old-" + i, DAY.multipliedBy(20), true);
            orphans.add("old-" + i);
        }
        long[] stoppedAt = new long[1];
        Thread[] stopper = new Thread[1];

        CleanupJobRunner.Outcome outcome = runner().run(Map.of("data_dir", cluster.dataDir().toString(),
                "dry_run", false), run -> {
                    stopper[0] = new Thread(() -> {
                        // stop while the first delete is under way (the node's rm sleeps 3 s before it works)
                        long deadline = System.currentTimeMillis() + 30_000;
                        while (node.commands().stream().noneMatch(c -> c.contains("rm -rf"))
                                && System.currentTimeMillis() < deadline) {
                            pause(50);
                        }
                        pause(500);
                        stoppedAt[0] = System.nanoTime();
                        RunContextAccess.stop(run, "stopped by the test");
                    });
                    stopper[0].start();
                });
        stopper[0].join();

        assertFalse(outcome.succeeded());
        assertEquals("run stopped: stopped by the test", outcome.error());
        assertTrue(System.nanoTime() - stoppedAt[0] < Duration.ofSeconds(15).toNanos(), "the stop was prompt");
        Set<String> left = names(node.dir());
        left.removeAll(Set.of("alloc", "client"));
        assertEquals(orphans, left, "the first delete was killed before rm ran, and no other delete started");
        assertEquals(1, node.commands().stream().filter(c -> c.contains("rm -rf")).count());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
