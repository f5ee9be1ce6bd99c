package io.nomadcamel.jobs.cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The delete command's mount check where the SSH rig cannot reach it: a node whose mountpoint(1) cannot answer (an
 * error, an old util-linux exiting 1, none installed) must keep the entry and say why. Runs the command in a local
 * /bin/sh, as a node's login shell would.
 */
class OrphanRemovalTest {

    private Path root;
    private Path dataDir;

    @BeforeEach
    void dirs() throws Exception {
        root = TempDirs.create("orphan-removal");
        dataDir = Files.createDirectories(root.resolve("data"));
    }

    @AfterEach
    void clean() {
        TempDirs.delete(root);
    }

    @Test
    void aNodeWhoseMountpointCannotAnswerKeepsTheEntryAndFailsTheDelete() throws Exception {
        Files.createDirectories(dataDir.resolve("old").resolve("inside"));
        Path shims = Files.createDirectories(root.resolve("shims"));
        Path mountpoint = Files.writeString(shims.resolve("mountpoint"), "#!/bin/sh\nexit 1\n");
        Files.setPosixFilePermissions(mountpoint, PosixFilePermissions.fromString("rwxr-xr-x"));

        Process p = run(shims + ":" + System.getenv("PATH"), "old");

        assertEquals(4, p.exitValue());
        assertTrue(Files.isDirectory(dataDir.resolve("old").resolve("inside")), "nothing was deleted");
        assertEquals("cannot tell whether it is a mount point: mountpoint exited 1\n", stderr(p));
    }

    @Test
    void anOrdinaryDirectoryIsDeletedAndAMountPointIsRefusedByName() throws Exception {
        Files.createDirectories(dataDir.resolve("old").resolve("inside"));

        Process p = run(System.getenv("PATH"), "old");

        assertEquals(0, p.exitValue(), stderr(p));
        assertEquals(OrphanRemoval.Outcome.DELETED, OrphanRemoval.answer(stdout(p), dataDir.resolve("old")).outcome());
        assertTrue(Files.notExists(dataDir.resolve("old")));
        OrphanRemoval.Answer refused = OrphanRemoval.answer("other-filesystem 41 2049\n", dataDir.resolve("x"));
        assertEquals(OrphanRemoval.Outcome.REFUSED, refused.outcome());
        assertEquals(dataDir.resolve("x") + " is on another file system (device 41) than " + dataDir
                + " (device 2049): deleting it would empty that file system", refused.refusal());
        assertThrows(IllegalStateException.class, () -> OrphanRemoval.answer("other-filesystem\n", dataDir));
    }

    private Process run(String path, String name) throws Exception {
        String command = OrphanRemoval.command(dataDir, new DirEntry(name, 'd', 0, ""));
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command);
        pb.environment().put("PATH", path);
        Process p = pb.start();
        p.waitFor();
        return p;
    }

    private static String stdout(Process p) throws Exception {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String stderr(Process p) throws Exception {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
