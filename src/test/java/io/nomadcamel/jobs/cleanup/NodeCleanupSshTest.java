package io.nomadcamel.jobs.cleanup;

import static io.nomadcamel.jobs.cleanup.DataDirs.DAY;
import static io.nomadcamel.jobs.cleanup.DataDirs.entry;
import static io.nomadcamel.jobs.cleanup.DataDirs.names;
import static io.nomadcamel.jobs.cleanup.DataDirs.populate;
import static io.nomadcamel.jobs.cleanup.DataDirs.runJob;
import static io.nomadcamel.jobs.cleanup.DataDirs.stringSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * The node-cleanup route against real OpenSSH sshd nodes (certificates both ways, one loopback address each), the
 * fake Nomad API and real directories whose mtimes are set to exact ages.
 */
class NodeCleanupSshTest extends CleanupSshTestBase {

    private static final String NOMAD_TOKEN = "nomad-secret-token-4711";

    @Override
    protected String nomadToken() {
        return NOMAD_TOKEN;
    }

    @Test
    void aDryRunDeletesNothingAndListsExactlyTheOrphans() throws Exception {
        CleanupCluster.Node node = cluster.addNode();
        runJob(NOMAD, "web", node);
        Set<String> orphans = populate(node.dir(), "web");
        Set<String> before = names(node.dir());

        CleanupJobRunner.Outcome outcome = runner().run(Map.of("data_dir", cluster.dataDir().toString()));

        assertTrue(outcome.succeeded(), outcome.error());
        assertEquals(before, names(node.dir()), "a dry run deletes nothing");
        Map<String, Object> result = outcome.node(node.name());
        assertEquals(orphans, stringSet(result.get("would_delete")));
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
        runJob(NOMAD, "web", node);
        Set<String> orphans = populate(node.dir(), "web");
        Path outside = Files.createDirectories(cluster.root().resolve("outside"));
        Files.writeString(outside.resolve("precious.txt"), "not Nomad's");
        DataDirs.symlink(node.dir(), "escape", outside.toString(), DAY.multipliedBy(30));
        DataDirs.symlink(node.dir(), "inside-link", "fresh", DAY.multipliedBy(30));
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
        for (String canary : DataDirs.CANARIES) {
            assertFalse(Files.exists(Path.of(System.getProperty("user.home"), canary)), canary + " was executed");
            assertFalse(Files.exists(node.dir().resolve(canary)), canary + " was executed");
        }
        // the Nomad token went to the central API only, never into a command sent to a node
        assertTrue(node.commands().stream().noneMatch(c -> c.contains(NOMAD_TOKEN)));
        assertTrue(NOMAD.requests().stream().allMatch(r -> NOMAD_TOKEN.equals(r.nomadToken())));
        // read once before the listing, once more right before the deletes
        assertEquals(2, NOMAD.requests("GET", "/v1/node/[^/]+/allocations").size());
    }

    @Test
    void aNodeWhoseRunningJobsCannotBeReadIsFailedAndNothingIsDeletedThere() throws Exception {
        CleanupCluster.Node unknown = cluster.addNode();
        CleanupCluster.Node fine = cluster.addNode();
        runJob(NOMAD, "cache", unknown);
        Set<String> unknownBefore = new TreeSet<>(populate(unknown.dir(), "cache"));
        unknownBefore.addAll(names(unknown.dir()));
        Set<String> fineOrphans = populate(fine.dir(), "queue");
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
        populate(byAttribute.dir(), "a");
        populate(byHttpAddr.dir(), "b");

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
}
