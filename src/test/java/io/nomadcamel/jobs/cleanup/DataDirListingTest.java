package io.nomadcamel.jobs.cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.Test;

/** The listing command, run by a local /bin/sh on a real folder, and its parser. */
class DataDirListingTest {

    @Test
    void theListingOfAFolderWithHostileNamesParsesToExactlyItsEntries() throws Exception {
        Path dir = TempDirs.create("listing");
        try {
            Map<String, Character> expected = new TreeMap<>();
            for (String name : DataDirs.ODD_NAMES) {
                Files.createDirectory(dir.resolve(name));
                expected.put(name, 'd');
            }
            Files.writeString(dir.resolve("plain.log"), "x");
            expected.put("plain.log", 'f');
            Files.createSymbolicLink(dir.resolve("to etc"), Path.of("/etc"));
            expected.put("to etc", 'l');
            Instant mtime = Instant.parse("2024-05-01T10:00:00.250Z");
            Files.setLastModifiedTime(dir.resolve("plain.log"), FileTime.from(mtime));

            DataDirListing.Listing listing = DataDirListing.parse(runLocally(DataDirListing.command(dir)));

            Map<String, Character> listed = new TreeMap<>();
            listing.entries().forEach(e -> listed.put(e.name(), e.type()));
            assertEquals(expected, listed);
            DirEntry plain = listing.entries().stream().filter(e -> e.name().equals("plain.log")).findFirst().get();
            assertEquals(mtime.toEpochMilli() / 1000.0, plain.mtimeSeconds(), 0.001);
            DirEntry link = listing.entries().stream().filter(e -> e.name().equals("to etc")).findFirst().get();
            assertEquals("/etc", link.linkTarget());
            assertTrue(Math.abs(listing.nodeNowSeconds() - System.currentTimeMillis() / 1000.0) < 60);
        } finally {
            TempDirs.delete(dir);
        }
    }

    @Test
    void anEmptyFolderListsNoEntries() {
        DataDirListing.Listing listing = DataDirListing.parse("1750000000.5\0");
        assertEquals(1_750_000_000.5, listing.nodeNowSeconds());
        assertEquals(List.of(), listing.entries());
    }

    @Test
    void aMalformedListingIsAnErrorNeverAPartialList() {
        for (String bad : new String[] {"", "1750000000", "1750000000\0" + "1.0\0d\0\0name",
                "1750000000\0" + "1.0\0d\0\0", "1750000000\0" + "x\0d\0\0name\0", "1750000000\0" + "1.0\0dd\0\0n\0"}) {
            assertThrows(IllegalStateException.class, () -> DataDirListing.parse(bad), bad);
        }
    }

    private static String runLocally(String command) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        return out;
    }
}
