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
}
