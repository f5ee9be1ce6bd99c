package io.nomadcamel.jobs.cleanup;

import static io.nomadcamel.jobs.cleanup.CleanupCluster.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.nomadcamel.jobs.testsupport.FakeNomad;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node-cleanup route against real OpenSSH sshd nodes (certificates both ways, one loopback address each), the
 * fake Nomad API and real directories whose mtimes are set to exact ages.
 */
class NodeCleanupSshTest {

    private static final Duration DAY = Duration.ofDays(1);
    private static final String NOMAD_TOKEN = "nomad-secret-token-4711";

    /** Names a shell would interpret if they were not passed literally. */
    static final List<String> ODD_NAMES = List.of("with space", "quote'single", "dq\"double", "$(touch pwned-subst)",
            "`touch pwned-tick`", "semi;touch pwned-semi", "-rf", "--version", "new\nline", "ünïcødé-日本語",
            "star*", "back\\slash", "tab\there", "amp&bg", "pipe|cat", "lt<gt>", "hash#x", "~tilde", " lead space");

    @RegisterExtension
    static final FakeNomad NOMAD = new FakeNomad();

    private CleanupCluster cluster;
    private CleanupJobRunner runner;

    @BeforeEach
    void cluster() {
        NOMAD.reset();
        NOMAD.requireToken(NOMAD_TOKEN);
        cluster = CleanupCluster.create(NOMAD);
    }

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.close();
        }
        cluster.close();
    }

    private CleanupJobRunner runner() throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(cluster.settings());
        settings.put("nomad.token", NOMAD_TOKEN);
        runner = new CleanupJobRunner(settings);
        return runner;
    }

    /**
     * One node's data dir: Nomad's own dirs, dirs of running jobs (incl. "job-3" for job "job"), young dirs (one a
     * day short of the grace period), and orphans: exactly 7 days old (equal is old), older, odd names, a file.
     * Returns the names the job must delete.
     */
    private Set<String> populate(CleanupCluster.Node node, String runningJob) throws IOException {
        Path dir = node.dir();
        for (String system : List.of("alloc", "plugins", "tmp", "server", "client")) {
            entry(dir, system, DAY.multipliedBy(400), true);
        }
        entry(dir, runningJob, DAY.multipliedBy(30), true);
        entry(dir, runningJob + "-3", DAY.multipliedBy(30), true);
        entry(dir, "young-job", DAY.multipliedBy(7).minusHours(1), true);
        entry(dir, "fresh", Duration.ZERO, true);
        Set<String> orphans = new TreeSet<>();
        entry(dir, "exactly-grace", DAY.multipliedBy(7), true);
        orphans.add("exactly-grace");
        entry(dir, runningJob + "-x", DAY.multipliedBy(8), true); // not "-<digits>": not the running job's
        orphans.add(runningJob + "-x");
        entry(dir, "old-file.log", DAY.multipliedBy(90), false);
        orphans.add("old-file.log");
        for (String odd : ODD_NAMES) {
            entry(dir, odd, DAY.multipliedBy(10), true);
            orphans.add(odd);
        }
        return orphans;
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return new TreeSet<>(entries.map(p -> p.getFileName().toString()).toList());
        }
    }

    private void runJob(String job, CleanupCluster.Node node) {
        NOMAD.addJob(job).group(job, 1).task("main", "docker", "busybox:1.36");
        NOMAD.runAllocation(job, job, node.name());
    }

    @Test
    void aDryRunDeletesNothingAndListsExactlyTheOrphans() throws Exception {
        CleanupCluster.Node node = cluster.addNode();
        runJob("web", node);
        Set<String> orphans = populate(node, "web");
        Set<String> before = names(node.dir());

        CleanupJobRunner.Outcome outcome = runner().run(Map.of("data_dir", cluster.dataDir().toString()));

        assertTrue(outcome.succeeded(), outcome.error());
        assertEquals(before, names(node.dir()), "a dry run deletes nothing");
        Map<String, Object> result = outcome.node(node.name());
        assertEquals(orphans, new TreeSet<>((List<?>) result.get("would_delete")).stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
        assertEquals(before.size(), ((Number) result.get("scanned")).intValue());
        assertEquals(orphans.size(), ((Number) result.get("orphaned")).intValue());
        assertEquals(0, ((Number) result.get("deleted")).intValue());
        assertEquals(before.size() - orphans.size(), ((Number) result.get("skipped")).intValue());
        assertEquals(node.ip(), result.get("node_addr"));
        assertEquals(List.of(), result.get("errors"));
        assertEquals(true, outcome.result().get("dry_run"));
        assertTrue(node.commands().stream().noneMatch(c -> c.contains("rm ")), node.commands().toString());
    }

    @Test
    void aLiveRunDeletesExactlyTheOrphansOneByOneWithTheirNamesTakenLiterally() throws Exception {
        CleanupCluster.Node node = cluster.addNode();
        runJob("web", node);
        Set<String> orphans = populate(node, "web");
        Path outside = Files.createDirectories(cluster.root().resolve("outside"));
        Files.writeString(outside.resolve("precious.txt"), "not Nomad's");
        CleanupCluster.symlink(node.dir(), "escape", outside.toString(), DAY.multipliedBy(30));
        CleanupCluster.symlink(node.dir(), "inside-link", "fresh", DAY.multipliedBy(30));
        orphans.add("inside-link"); // a link within the data dir: the link goes, its target stays
        Set<String> before = names(node.dir());

        CleanupJobRunner.Outcome outcome = runner().run(Map.of("data_dir", cluster.dataDir().toString(),
                "dry_run", false));

        assertTrue(outcome.succeeded(), outcome.error());
        Set<String> expectedLeft = new TreeSet<>(before);
        expectedLeft.removeAll(orphans);
        assertEquals(expectedLeft, names(node.dir()), "exactly the orphans are gone");
        assertTrue(names(node.dir()).containsAll(Set.of("alloc", "plugins", "tmp", "server", "client", "web",
                "web-3", "young-job", "fresh", "escape")));
        assertEquals("left by fresh", Files.readString(node.dir().resolve("fresh").resolve("payload.txt")));
        assertEquals("not Nomad's", Files.readString(outside.resolve("precious.txt")), "the symlink was not followed");

        Map<String, Object> result = outcome.node(node.name());
        assertEquals(orphans, stringSet(result.get("deleted_entries")));
        assertEquals(orphans.size(), ((Number) result.get("deleted")).intValue());
        assertEquals(orphans.size() + 1, ((Number) result.get("orphaned")).intValue(), "the escaping link is one");
        assertEquals(List.of(Map.of("name", "escape", "reason", "a symlink pointing outside " + cluster.dataDir()
                + " (to " + outside + ")")), result.get("refused"));
        assertEquals(List.of("web"), result.get("running_jobs"));
        assertNull(result.get("would_delete"));

        // one rm per orphan, each naming one path as a single quoted word
        List<String> removals = node.commands().stream().filter(c -> c.contains("rm -rf")).toList();
        assertEquals(orphans.size(), removals.size(), removals.toString());
        for (String orphan : orphans) {
            String quoted = io.nomadcamel.jobs.ssh.ShellQuoting.quote(cluster.dataDir().resolve(orphan).toString());
            assertEquals(1, removals.stream().filter(c -> c.contains("p=" + quoted + "\n")).count(), orphan);
        }
        for (String canary : List.of("pwned-subst", "pwned-tick", "pwned-semi")) {
            assertFalse(Files.exists(Path.of(System.getProperty("user.home"), canary)), canary + " was executed");
            assertFalse(Files.exists(node.dir().resolve(canary)), canary + " was executed");
        }
        // the Nomad token went to the central API only, never into a command sent to a node
        assertTrue(node.commands().stream().noneMatch(c -> c.contains(NOMAD_TOKEN)));
        assertTrue(NOMAD.requests().stream().allMatch(r -> NOMAD_TOKEN.equals(r.nomadToken())));
        assertEquals(1, NOMAD.requests("GET", "/v1/node/[^/]+/allocations").size());
    }

    @Test
    void anUnreachableNodeFailsTheRunNamingItWhileTheOtherNodesAreCleaned() throws Exception {
        CleanupCluster.Node first = cluster.addNode();
        CleanupCluster.Node unreachable = cluster.addUnreachableNode();
        CleanupCluster.Node third = cluster.addNode();
        runJob("api", first);
        runJob("db", third);
        Set<String> firstOrphans = populate(first, "api");
        Set<String> thirdOrphans = populate(third, "db");

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
    void aNodeWhoseRunningJobsCannotBeReadIsFailedAndNothingIsDeletedThere() throws Exception {
        CleanupCluster.Node unknown = cluster.addNode();
        CleanupCluster.Node fine = cluster.addNode();
        runJob("cache", unknown);
        Set<String> unknownBefore = new TreeSet<>(populate(unknown, "cache"));
        unknownBefore.addAll(names(unknown.dir()));
        Set<String> fineOrphans = populate(fine, "queue");
        String nodeId = NOMAD.node(unknown.name()).id();
        // more 500s than NomadClient's retries
        NOMAD.failNext("GET", "/v1/node/" + nodeId + "/allocations", 4, 500, "rpc error: No cluster leader");

        CleanupJobRunner.Outcome outcome = runner().run(Map.of("data_dir", cluster.dataDir().toString(),
                "dry_run", false));

        assertFalse(outcome.succeeded());
        assertTrue(outcome.error().contains(unknown.name()) && outcome.error().contains("cannot read the running "
                + "jobs of node " + unknown.name() + ", so nothing is deleted there: Nomad GET /v1/node/" + nodeId
                + "/allocations answered 500: rpc error: No cluster leader"), outcome.error());
        assertEquals(unknownBefore, names(unknown.dir()), "nothing deleted where running jobs are unknown");
        assertEquals(List.of(), unknown.commands(), "not even an SSH command was sent to it");
        assertTrue(names(fine.dir()).stream().noneMatch(fineOrphans::contains));
    }

    @Test
    void theNodeAddressIsTheIpAttributeElseTheHttpAddrHost() throws Exception {
        CleanupCluster.Node byAttribute = cluster.addNode();
        CleanupCluster.Node byHttpAddr = cluster.addNode();
        // HTTPAddr points nowhere useful: only the attribute can lead to the node
        NOMAD.node(byAttribute.name()).httpAddr("127.0.0.254:4646");
        // no attribute: HTTPAddr's host it is
        NOMAD.node(byHttpAddr.name()).attribute("unique.network.ip-address", null);
        populate(byAttribute, "a");
        populate(byHttpAddr, "b");

        CleanupJobRunner.Outcome outcome = runner().run(Map.of("data_dir", cluster.dataDir().toString()));

        assertTrue(outcome.succeeded(), outcome.error());
        assertEquals(byAttribute.ip(), outcome.node(byAttribute.name()).get("node_addr"));
        assertEquals(byHttpAddr.ip(), outcome.node(byHttpAddr.name()).get("node_addr"));
        assertFalse(byAttribute.commands().isEmpty());
        assertFalse(byHttpAddr.commands().isEmpty());
    }

    @Test
    void dockerPruneReportsTheReclaimedSpaceAndADryRunOnlyAsksDockerSystemDf() throws Exception {
        CleanupCluster.Node node = cluster.addNode();
        entry(node.dir(), "old", DAY.multipliedBy(20), true);
        CleanupJobRunner jobs = runner();

        CleanupJobRunner.Outcome dry = jobs.run(Map.of("data_dir", cluster.dataDir().toString(),
                "docker_prune", true));
        assertTrue(dry.succeeded(), dry.error());
        assertEquals(List.of("system df"), cluster.dockerCalls());
        assertEquals(2_601_500_000L, ((Number) dry.node(node.name()).get("docker_space_reclaimable")).longValue());
        assertEquals(0L, ((Number) dry.node(node.name()).get("docker_space_freed")).longValue());

        CleanupJobRunner.Outcome live = jobs.run(Map.of("data_dir", cluster.dataDir().toString(),
                "docker_prune", true, "dry_run", false));
        assertTrue(live.succeeded(), live.error());
        assertEquals(List.of("system df", "system prune -af"), cluster.dockerCalls());
        assertEquals(1_838_000_000L, ((Number) live.node(node.name()).get("docker_space_freed")).longValue());
        assertEquals(1_838_000_000L, ((Number) live.totals().get("docker_space_freed")).longValue());

        CleanupJobRunner.Outcome without = jobs.run(Map.of("data_dir", cluster.dataDir().toString(),
                "dry_run", false));
        assertTrue(without.succeeded(), without.error());
        assertEquals(2, cluster.dockerCalls().size(), "docker_prune false: docker is not called");
    }

    @Test
    void nodesAreCleanedInParallelButNeverMoreThanNodeConcurrencyAtOnce() throws Exception {
        List<CleanupCluster.Node> nodes = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            nodes.add(cluster.addNode(new CleanupCluster.Behaviour(Duration.ofMillis(1500), Duration.ZERO, true)));
        }

        CleanupJobRunner.Outcome outcome = runner().run(Map.of("data_dir", cluster.dataDir().toString(),
                "node_concurrency", 2));

        assertTrue(outcome.succeeded(), outcome.error());
        List<double[]> spans = new java.util.ArrayList<>();
        for (CleanupCluster.Node node : nodes) {
            for (String line : Files.readAllLines(node.spans())) {
                String[] parts = line.split(" ");
                spans.add(new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1])});
            }
        }
        assertEquals(4, spans.size(), "one listing per node");
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
                        io.nomadcamel.jobs.scheduler.RunContextAccess.stop(run, "stopped by the test");
                    });
                    stopper[0].start();
                });
        stopper[0].join();

        assertFalse(outcome.succeeded());
        assertEquals("run stopped: stopped by the test", outcome.error());
        assertTrue(System.nanoTime() - stoppedAt[0] < Duration.ofSeconds(15).toNanos(), "the stop was prompt");
        Set<String> left = names(node.dir());
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

    private static Set<String> stringSet(Object list) {
        Set<String> set = new TreeSet<>();
        for (Object o : (List<?>) list) {
            set.add(String.valueOf(o));
        }
        return set;
    }
}
