package io.nomadcamel.jobs.cleanup;

import static io.nomadcamel.jobs.cleanup.DataDirs.DAY;
import static io.nomadcamel.jobs.cleanup.DataDirs.entry;
import static io.nomadcamel.jobs.cleanup.DataDirs.names;
import static io.nomadcamel.jobs.cleanup.DataDirs.stringSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.Test;

/**
 * The guards that keep node-cleanup from deleting what is not a finished job's leftover, against real sshd nodes:
 * a data_dir that is not Nomad's, entries that are mount points, jobs that are starting or start during the run, and
 * an address that leads to another node than the one whose jobs were read.
 */
class NodeCleanupSafetySshTest extends CleanupSshTestBase {

    private CleanupJobRunner.Outcome live() throws Exception {
        return runner().run(Map.of("data_dir", cluster.dataDir().toString(), "dry_run", false));
    }

    @Test
    void aDataDirWithoutNomadsAllocAndClientDirsFailsTheNodeAndNothingIsDeleted() throws Exception {
        // what /opt/nomad (a typo for /opt/nomad/data) holds: Nomad's binary, its configuration, the real data dir
        CleanupCluster.Node typo = cluster.addNode();
        TempDirs.delete(typo.dir().resolve("alloc"));
        TempDirs.delete(typo.dir().resolve("client"));
        for (String name : List.of("bin", "config", "data")) {
            entry(typo.dir(), name, DAY.multipliedBy(200), true);
        }
        // half a data dir: client is there, alloc is a file
        CleanupCluster.Node half = cluster.addNode();
        TempDirs.delete(half.dir().resolve("alloc"));
        entry(half.dir(), "alloc", DAY.multipliedBy(200), false);
        entry(half.dir(), "old-job", DAY.multipliedBy(20), true);
        CleanupCluster.Node fine = cluster.addNode();
        entry(fine.dir(), "old-job", DAY.multipliedBy(20), true);
        Set<String> typoBefore = names(typo.dir());
        Set<String> halfBefore = names(half.dir());

        CleanupJobRunner.Outcome outcome = live();

        assertFalse(outcome.succeeded());
        assertEquals(typoBefore, names(typo.dir()), "nothing deleted in a folder that is not Nomad's");
        assertEquals(halfBefore, names(half.dir()));
        assertTrue(typo.commands().stream().noneMatch(c -> c.contains("rm -rf")), typo.commands().toString());
        String data = cluster.dataDir().toString();
        assertEquals(List.of("data_dir " + data + " on node " + typo.name() + " does not look like a Nomad client's "
                + "data dir: no alloc directory and no client directory (a Nomad client keeps alloc and client "
                + "there); check data_dir, nothing is deleted on " + typo.name()),
                outcome.node(typo.name()).get("errors"));
        assertEquals(List.of("data_dir " + data + " on node " + half.name() + " does not look like a Nomad client's "
                + "data dir: alloc is not a directory (find type 'f') (a Nomad client keeps alloc and client there); "
                + "check data_dir, nothing is deleted on " + half.name()), outcome.node(half.name()).get("errors"));
        assertTrue(outcome.error().contains(typo.name()) && outcome.error().contains(half.name()), outcome.error());
        assertEquals(0, ((Number) outcome.node(typo.name()).get("scanned")).intValue());
        // a Nomad data dir next to them is cleaned as usual
        assertEquals(Set.of("old-job"), stringSet(outcome.node(fine.name()).get("deleted_entries")));
        assertFalse(Files.exists(fine.dir().resolve("old-job")));
    }

    @Test
    void anOrphanThatIsAMountPointIsRefusedAndWhatIsMountedThereSurvives() throws Exception {
        CleanupCluster.Node node = cluster.addNode();
        entry(node.dir(), "old-tmpfs", DAY.multipliedBy(20), true);
        entry(node.dir(), "old-bind", DAY.multipliedBy(20), true);
        entry(node.dir(), "old-plain", DAY.multipliedBy(20), true);
        Path elsewhere = Files.createDirectories(cluster.root().resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("precious.txt"), "lives elsewhere");
        // the bind mount shows its source's mtime: old, so that only the mount check can save it
        Files.setLastModifiedTime(elsewhere, FileTime.from(Instant.now().minus(DAY.multipliedBy(20))));
        String data = cluster.dataDir().toString();
        // mounted in the node's own mount namespace, where its sshd (and so the job) sees its data dir
        inNamespace(node, "mount -t tmpfs ncj-test \"$1/old-tmpfs\" && echo kept > \"$1/old-tmpfs/in-tmpfs.txt\" "
                + "&& touch -d '20 days ago' \"$1/old-tmpfs\"", data);
        inNamespace(node, "mount --bind \"$2\" \"$1/old-bind\"", data, elsewhere.toString());

        CleanupJobRunner.Outcome outcome = live();

        assertTrue(Files.exists(elsewhere.resolve("precious.txt")), "the bind-mounted folder was not emptied");
        assertEquals("kept\n", inNamespace(node, "cat \"$1/old-tmpfs/in-tmpfs.txt\" 2>&1 || true", data),
                "the tmpfs was not emptied");
        assertTrue(outcome.succeeded(), outcome.error());
        assertFalse(Files.exists(node.dir().resolve("old-plain")), "an orphan that is no mount point still goes");
        Map<String, Object> result = outcome.node(node.name());
        assertEquals(Set.of("old-plain"), stringSet(result.get("deleted_entries")));
        @SuppressWarnings("unchecked")
        List<Map<String, String>> refused = (List<Map<String, String>>) result.get("refused");
        assertEquals(List.of("old-bind", "old-tmpfs"), refused.stream().map(r -> r.get("name")).sorted().toList());
        String reasons = refused.toString();
        assertTrue(reasons.contains(data + "/old-bind is a mount point: deleting it would empty the file system "
                + "mounted there"), reasons);
        assertTrue(reasons.contains(data + "/old-tmpfs is on another file system (device "), reasons);
        assertEquals(2L, ((Map<?, ?>) result.get("kept")).get("refused"));
        assertEquals(3, ((Number) result.get("orphaned")).intValue());
        assertEquals(List.of(), result.get("errors"));
    }

    @Test
    void theDirsOfAJobWhoseAllocationIsStillPendingAreKept() throws Exception {
        CleanupCluster.Node node = cluster.addNode();
        // placed, image still pulling (or restarting): ClientStatus pending, DesiredStatus run
        NOMAD.addJob("starting").group("starting", 1).task("main", "docker", "busybox:1.36");
        NOMAD.addAllocation("starting", "starting", node.name(), "pending");
        NOMAD.addJob("finished").group("finished", 1).task("main", "docker", "busybox:1.36");
        NOMAD.addAllocation("finished", "finished", node.name(), "complete");
        for (String name : List.of("starting", "starting-2", "finished")) {
            entry(node.dir(), name, DAY.multipliedBy(20), true);
        }

        CleanupJobRunner.Outcome outcome = live();

        assertTrue(outcome.succeeded(), outcome.error());
        assertTrue(Files.exists(node.dir().resolve("starting").resolve("payload.txt")));
        assertTrue(Files.exists(node.dir().resolve("starting-2")));
        assertFalse(Files.exists(node.dir().resolve("finished")), "a complete allocation protects nothing");
        Map<String, Object> result = outcome.node(node.name());
        assertEquals(List.of("starting"), result.get("running_jobs"));
        assertEquals(2L, ((Map<?, ?>) result.get("kept")).get("active"));
        assertEquals(Set.of("finished"), stringSet(result.get("deleted_entries")));
    }

    @Test
    void aJobPlacedOnTheNodeAfterItsJobsWereReadKeepsItsDirs() throws Exception {
        CleanupCluster.Node node = cluster.addNode();
        NOMAD.addJob("late").group("late", 1).task("main", "docker", "busybox:1.36");
        entry(node.dir(), "late", DAY.multipliedBy(20), true);
        entry(node.dir(), "old-job", DAY.multipliedBy(20), true);
        String allocations = "/v1/node/" + NOMAD.node(node.name()).id() + "/allocations";
        // Nomad places "late" on the node just after the job read the node's allocations
        NOMAD.changeAfterNextAnswer("GET", allocations, () -> NOMAD.addAllocation("late", "late", node.name(),
                "pending"));

        CleanupJobRunner.Outcome outcome = live();

        assertTrue(outcome.succeeded(), outcome.error());
        assertTrue(Files.exists(node.dir().resolve("late").resolve("payload.txt")), "the new job's dir is kept");
        assertFalse(Files.exists(node.dir().resolve("old-job")));
        Map<String, Object> result = outcome.node(node.name());
        assertEquals(Set.of("old-job"), stringSet(result.get("deleted_entries")));
        assertEquals(List.of("late"), result.get("running_jobs"));
        assertEquals(1L, ((Map<?, ?>) result.get("kept")).get("active"));
        assertEquals(2, NOMAD.requests("GET", allocations).size(), "read once, then again before deleting");
        assertTrue(node.commands().stream().noneMatch(c -> c.contains("/late'")), node.commands().toString());
    }

    @Test
    void aNodeWhoseJobsCannotBeReadAgainBeforeDeletingIsFailedWithNothingDeleted() throws Exception {
        CleanupCluster.Node node = cluster.addNode();
        entry(node.dir(), "old-job", DAY.multipliedBy(20), true);
        entry(node.dir(), "older-job", DAY.multipliedBy(40), true);
        Set<String> before = names(node.dir());
        String allocations = "/v1/node/" + NOMAD.node(node.name()).id() + "/allocations";
        // the first read works; then Nomad loses its leader (more 500s than NomadClient retries)
        NOMAD.changeAfterNextAnswer("GET", allocations, () -> NOMAD.failNext("GET", allocations, 4, 500,
                "rpc error: No cluster leader"));

        CleanupJobRunner.Outcome outcome = live();

        assertFalse(outcome.succeeded());
        assertEquals(before, names(node.dir()), "nothing deleted");
        assertTrue(node.commands().stream().noneMatch(c -> c.contains("rm -rf")), node.commands().toString());
        assertEquals(List.of("cannot re-read the running jobs of node " + node.name() + " right before deleting, so "
                + "nothing is deleted there: Nomad GET " + allocations + " answered 500: rpc error: No cluster leader"),
                outcome.node(node.name()).get("errors"));
        assertTrue(outcome.error().startsWith("node-cleanup failed on 1 of 1 node(s): " + node.name()),
                outcome.error());
    }

    @Test
    void aNodeWhoseAddressLeadsToAnotherNomadClientIsFailedAndNothingIsDeletedThere() throws Exception {
        CleanupCluster.Node first = cluster.addNode();
        CleanupCluster.Node second = cluster.addNode();
        CleanupCluster.Node noId = cluster.addNode();
        DataDirs.runJob(NOMAD, "alpha", first);
        DataDirs.runJob(NOMAD, "beta", second);
        for (String name : List.of("alpha", "old-a")) {
            entry(first.dir(), name, DAY.multipliedBy(20), true);
        }
        for (String name : List.of("beta", "old-b")) {
            entry(second.dir(), name, DAY.multipliedBy(20), true);
        }
        entry(noId.dir(), "old-c", DAY.multipliedBy(20), true);
        Files.delete(noId.dir().resolve("client").resolve("client-id"));
        // a stale attribute: Nomad's node-1 is said to be at node-2's address (whose host certificate is valid)
        NOMAD.node(first.name()).attribute("unique.network.ip-address", second.ip());
        String firstId = NOMAD.node(first.name()).id();
        String secondId = NOMAD.node(second.name()).id();

        CleanupJobRunner.Outcome outcome = live();

        assertFalse(outcome.succeeded());
        assertTrue(Files.exists(second.dir().resolve("beta")), "node-2's running job was not judged by node-1's jobs");
        assertFalse(Files.exists(second.dir().resolve("old-b")), "node-2 itself was cleaned");
        assertTrue(Files.exists(first.dir().resolve("old-a")), "node-1 was never reached");
        assertTrue(Files.exists(noId.dir().resolve("old-c")));
        String data = cluster.dataDir().toString();
        assertEquals(List.of("node " + first.name() + " is not at " + second.ip() + ": " + data + "/client/client-id "
                + "there holds node id '" + secondId + "', but Nomad's node " + first.name() + " has id " + firstId
                + " (the address leads to another Nomad client, or data_dir is another client's); nothing is deleted "
                + "for " + first.name()), outcome.node(first.name()).get("errors"));
        String noIdError = String.valueOf(outcome.node(noId.name()).get("errors"));
        assertTrue(noIdError.startsWith("[cannot read " + data + "/client/client-id on node " + noId.name() + " ("
                + noId.ip() + "), where the Nomad client keeps its node id"), noIdError);
        assertTrue(noIdError.contains("No such file or directory"), noIdError);
        assertEquals("ok", outcome.node(second.name()).get("status"));
        assertEquals(List.of(first.name(), noId.name()), outcome.kept().get("failed_nodes"));
    }

    /** Runs a shell script in the node's mount namespace (that of its sshd), with {@code args} as $1, $2, ... */
    private static String inNamespace(CleanupCluster.Node node, String script, String... args) throws Exception {
        String pid = String.valueOf(node.sshd().process().pid());
        List<String> command = new ArrayList<>(List.of("nsenter", "--target", pid, "--mount", "--", "/bin/sh", "-c",
                script, "sh"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "in the namespace of " + node.name() + ": " + script + "\n" + out);
        return out;
    }
}
