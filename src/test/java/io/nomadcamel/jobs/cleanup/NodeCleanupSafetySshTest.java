package io.nomadcamel.jobs.cleanup;

import static io.nomadcamel.jobs.cleanup.DataDirs.DAY;
import static io.nomadcamel.jobs.cleanup.DataDirs.entry;
import static io.nomadcamel.jobs.cleanup.DataDirs.names;
import static io.nomadcamel.jobs.cleanup.DataDirs.stringSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.nomadcamel.jobs.testsupport.FakeNomad;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The guards that keep node-cleanup from deleting what is not a finished job's leftover, against real sshd nodes:
 * a data_dir that is not Nomad's, entries that are mount points, jobs that are starting or start during the run, and
 * an address that leads to another node than the one whose jobs were read.
 */
class NodeCleanupSafetySshTest {

    @RegisterExtension
    static final FakeNomad NOMAD = new FakeNomad();

    private CleanupCluster cluster;
    private CleanupJobRunner runner;

    @BeforeEach
    void cluster() {
        NOMAD.reset();
        cluster = CleanupCluster.create(NOMAD);
    }

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.close();
        }
        cluster.close();
    }

    private CleanupJobRunner.Outcome live() throws Exception {
        runner = new CleanupJobRunner(cluster.settings());
        return runner.run(Map.of("data_dir", cluster.dataDir().toString(), "dry_run", false));
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
}
