package io.nomadcamel.jobs.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Snapshot archives as the fake CLIs write them (the real format), intact and damaged. */
class SnapshotArchiveTest {

    private static FakeClis clis;
    private static Path dir;

    @BeforeAll
    static void setUp() {
        clis = FakeClis.install();
        dir = TempDirs.create("snapshots");
    }

    @AfterAll
    static void tearDown() {
        clis.close();
        TempDirs.delete(dir);
    }

    @Test
    void anIntactSnapshotOfEitherCliPasses() throws Exception {
        clis.set("nomad", "state_bytes", 300_000).set("consul", "state_bytes", 10);
        SnapshotArchive.verify(save("nomad", "ok.snap"));
        SnapshotArchive.verify(save("consul", "ok-consul.snap"));
    }

    @Test
    void damageIsNamed() throws Exception {
        clis.set("nomad", "corrupt", true);
        Path corrupt = save("nomad", "corrupt.snap");
        clis.set("nomad", "corrupt", null);
        assertEquals("the SHA-256 of state.bin does not match SHA256SUMS", failure(corrupt));

        Path whole = save("nomad", "whole.snap");
        byte[] bytes = Files.readAllBytes(whole);
        Path truncated = Files.write(dir.resolve("truncated.snap"), Arrays.copyOf(bytes, bytes.length / 2));
        assertEquals("the archive is truncated", failure(truncated));

        Path text = Files.writeString(dir.resolve("text.snap"), "Permission denied");
        assertEquals("not a gzip file: Not in GZIP format", failure(text));

        Path extra = python("import tarfile, gzip, io\n"
                + "with gzip.open(OUT, 'wb') as g, tarfile.open(fileobj=g, mode='w', format=tarfile.USTAR_FORMAT) as t:\n"
                + "    for name in ('meta.json', 'state.bin', 'SHA256SUMS', 'evil.sh'):\n"
                + "        i = tarfile.TarInfo(name); i.size = 0; t.addfile(i, io.BytesIO(b''))\n", "extra.snap");
        assertEquals("unexpected file 'evil.sh' in snapshot", failure(extra));

        Path missing = python("import tarfile, gzip, io\n"
                + "with gzip.open(OUT, 'wb') as g, tarfile.open(fileobj=g, mode='w', format=tarfile.USTAR_FORMAT) as t:\n"
                + "    i = tarfile.TarInfo('meta.json'); i.size = 0; t.addfile(i, io.BytesIO(b''))\n", "missing.snap");
        assertEquals("the snapshot has no state.bin", failure(missing));
    }

    private static String failure(Path archive) {
        return assertThrows(InvalidArtifactException.class, () -> SnapshotArchive.verify(archive)).getMessage();
    }

    private static Path save(String program, String name) throws Exception {
        Path file = dir.resolve(name);
        Process p = new ProcessBuilder(program.equals("nomad")
                ? List.of(clis.nomad().toString(), "operator", "snapshot", "save", file.toString())
                : List.of(clis.consul().toString(), "snapshot", "save", file.toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return file;
    }

    private static Path python(String script, String name) throws Exception {
        Path file = dir.resolve(name);
        Process p = new ProcessBuilder("python3", "-c", "OUT = '" + file + "'\n" + script).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return file;
    }
}
