package io.nomadcamel.jobs.cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.Set;

import io.nomadcamel.jobs.cleanup.EntryRules.Verdict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Design §5's rules for a data dir entry, decided from the listing alone. */
class EntryRulesTest {

    private static final double NOW = 1_750_000_000d;
    private static final double DAY = 86_400d;
    private static final Path DATA = Path.of("/opt/nomad/data");
    private final EntryRules rules = new EntryRules(DATA, 7, Set.of("web", "batch-2", "api"));

    private Verdict verdict(String name, double ageDays) {
        return rules.decide(new DirEntry(name, 'd', NOW - ageDays * DAY, ""), NOW).verdict();
    }

    @ParameterizedTest(name = "{0} aged {1} days: {2}")
    @CsvSource({
            // Nomad's own dirs, however old
            "alloc, 900, KEPT_SYSTEM", "plugins, 900, KEPT_SYSTEM", "tmp, 900, KEPT_SYSTEM",
            "server, 900, KEPT_SYSTEM", "client, 900, KEPT_SYSTEM", "allocs, 900, ORPHAN", "Alloc, 900, ORPHAN",
            // a running job's id, or that id plus -<digits>
            "web, 900, KEPT_ACTIVE", "web-3, 900, KEPT_ACTIVE", "web-12345, 900, KEPT_ACTIVE",
            "batch-2, 900, KEPT_ACTIVE", "batch-2-7, 900, KEPT_ACTIVE", "batch, 900, ORPHAN",
            "web-x, 900, ORPHAN", "web-, 900, ORPHAN", "web-3-4, 900, ORPHAN", "xweb, 900, ORPHAN",
            "WEB, 900, ORPHAN", "web.3, 900, ORPHAN",
            // grace: whole days, equal to grace is old
            "young, 0, KEPT_YOUNG", "young, 6.99, KEPT_YOUNG", "old, 7, ORPHAN", "old, 7.01, ORPHAN",
            "old, 365, ORPHAN", "future, -3, KEPT_YOUNG"})
    void decides(String name, double ageDays, Verdict expected) {
        assertEquals(expected, verdict(name, ageDays));
    }

    @Test
    void theAgeIsInWholeDaysOnTheNodesClock() {
        DirEntry entry = new DirEntry("x", 'd', NOW - 7 * DAY, "");
        assertEquals(7, entry.ageDays(NOW));
        assertEquals(6, entry.ageDays(NOW - 1));
        assertEquals(7, entry.ageDays(NOW + DAY - 1));
    }

    @Test
    void aGraceOfOneDayKeepsOnlyWhatIsYoungerThanADay() {
        EntryRules oneDay = new EntryRules(DATA, 1, Set.of());
        assertEquals(Verdict.KEPT_YOUNG, oneDay.decide(new DirEntry("a", 'd', NOW - DAY + 1, ""), NOW).verdict());
        assertEquals(Verdict.ORPHAN, oneDay.decide(new DirEntry("a", 'd', NOW - DAY, ""), NOW).verdict());
    }

    @ParameterizedTest(name = "symlink to {0}: {1}")
    @CsvSource({"web-old, ORPHAN", "./sub/x, ORPHAN", "../data/x, ORPHAN", "/opt/nomad/data/x, ORPHAN",
            "/etc, REFUSED", "../../etc/passwd, REFUSED", "/opt/nomad/data, REFUSED", "., REFUSED",
            "/opt/nomad/database, REFUSED", "'', REFUSED"})
    void aSymlinkPointingOutsideTheDataDirIsRefused(String target, Verdict expected) {
        EntryRules.Decision d = rules.decide(new DirEntry("link", 'l', NOW - 30 * DAY, target), NOW);
        assertEquals(expected, d.verdict());
        if (expected == Verdict.REFUSED) {
            assertEquals("a symlink pointing outside /opt/nomad/data (to " + target + ")", d.reason());
        } else {
            assertNull(d.reason());
        }
    }

    @Test
    void namesThatAreNotADirectChildOrNotValidUtf8AreRefused() {
        for (String name : new String[] {".", "..", "", "a/b"}) {
            EntryRules.Decision d = rules.decide(new DirEntry(name, 'd', NOW - 30 * DAY, ""), NOW);
            assertEquals(Verdict.REFUSED, d.verdict(), name);
            assertEquals("not a direct child of /opt/nomad/data", d.reason());
        }
        EntryRules.Decision latin1 = rules.decide(new DirEntry("caf\uFFFD", 'd', NOW - 30 * DAY, ""), NOW);
        assertEquals(Verdict.REFUSED, latin1.verdict());
        assertEquals("its name is not valid UTF-8, so it cannot be addressed literally", latin1.reason());
    }

    @Test
    void keepRulesComeBeforeGuards() {
        // a young or active entry is kept whatever it is; guards only judge what would be deleted
        assertEquals(Verdict.KEPT_YOUNG, rules.decide(new DirEntry("link", 'l', NOW, "/etc"), NOW).verdict());
        assertEquals(Verdict.KEPT_ACTIVE, rules.decide(new DirEntry("web", 'l', NOW - 99 * DAY, "/etc"), NOW)
                .verdict());
    }
}
