package io.nomadcamel.jobs.cleanup;

import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides, in Java and from the listing alone, what happens to each data dir entry (design §5): Nomad's own dirs
 * stay, an entry whose name, or name minus a trailing {@code -<digits>}, is an active (running or starting) job's id
 * stays, an entry younger than the grace period stays (age in whole days; equal to the grace period is old), the rest
 * is an orphan. An orphan is then checked by the guards: it is deleted only if it is safely addressable as a direct
 * child.
 */
public final class EntryRules {

    /** Nomad's own folders in its data dir: never job leftovers. */
    public static final Set<String> SYSTEM_DIRS = Set.of("alloc", "plugins", "tmp", "server", "client");

    private static final Pattern TRAILING_NUMBER = Pattern.compile("-[0-9]+$");

    /** What happens to an entry. KEPT_* and REFUSED leave it in place; ORPHAN is deleted (or would be). */
    public enum Verdict {
        KEPT_SYSTEM, KEPT_ACTIVE, KEPT_YOUNG, ORPHAN, REFUSED
    }

    /** The verdict and, for a refusal, why. */
    public record Decision(DirEntry entry, Verdict verdict, String reason) {
    }

    private final Path dataDir;
    private final int graceDays;
    private final Set<String> activeJobs;

    public EntryRules(Path dataDir, int graceDays, Set<String> activeJobs) {
        this.dataDir = dataDir;
        this.graceDays = graceDays;
        this.activeJobs = Set.copyOf(activeJobs);
    }

    public Decision decide(DirEntry entry, double nodeNowSeconds) {
        String name = entry.name();
        if (SYSTEM_DIRS.contains(name)) {
            return new Decision(entry, Verdict.KEPT_SYSTEM, null);
        }
        if (active(name)) {
            return new Decision(entry, Verdict.KEPT_ACTIVE, null);
        }
        if (entry.ageDays(nodeNowSeconds) < graceDays) {
            return new Decision(entry, Verdict.KEPT_YOUNG, null);
        }
        String refusal = guardProblem(entry);
        return refusal == null ? new Decision(entry, Verdict.ORPHAN, null)
                : new Decision(entry, Verdict.REFUSED, refusal);
    }

    /** Literal comparison: "web-3" belongs to active job "web" (and to an active "web-3"); "web-x" to neither. */
    boolean active(String name) {
        return activeJobs.contains(name) || activeJobs.contains(TRAILING_NUMBER.matcher(name).replaceFirst(""));
    }

    /**
     * Why an orphan must not be deleted, or null: it must be a direct child of the data dir by its very name, and a
     * symlink must not point outside the data dir. Deleting removes a link itself, never its target, but a link
     * leading out of the data dir is not Nomad's to judge, so it is left for a human.
     */
    String guardProblem(DirEntry entry) {
        String name = entry.name();
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0) {
            return "not a direct child of " + dataDir;
        }
        if (name.indexOf('\uFFFD') >= 0) {
            // a name that is not valid UTF-8 came back altered: deleting the altered name could hit another entry
            return "its name is not valid UTF-8, so it cannot be addressed literally";
        }
        Path path = dataDir.resolve(name).normalize();
        if (!dataDir.equals(path.getParent())) {
            return "not a direct child of " + dataDir;
        }
        if (entry.symlink()) {
            Path target = dataDir.resolve(entry.linkTarget()).normalize();
            if (entry.linkTarget().isEmpty() || !target.startsWith(dataDir) || target.equals(dataDir)) {
                return "a symlink pointing outside " + dataDir + " (to " + entry.linkTarget() + ")";
            }
        }
        return null;
    }
}
