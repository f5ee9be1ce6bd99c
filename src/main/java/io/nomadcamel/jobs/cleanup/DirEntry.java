package io.nomadcamel.jobs.cleanup;

/**
 * One entry of a node's data dir as the listing saw it, never followed through a symlink.
 *
 * @param name          the entry's own name (any bytes but '/' and NUL, decoded as UTF-8)
 * @param type          find's %y letter: d directory, f file, l symlink, and p, s, b, c for the rare rest
 * @param mtimeSeconds  its modification time (of the link itself for a symlink), epoch seconds
 * @param linkTarget    the symlink's target as stored, or "" for anything else
 */
public record DirEntry(String name, char type, double mtimeSeconds, String linkTarget) {

    public boolean symlink() {
        return type == 'l';
    }

    /** Whole days between the mtime and the node's clock: 6 days 23 hours is 6; exactly 7 days is 7. */
    public long ageDays(double nodeNowSeconds) {
        return (long) Math.floor((nodeNowSeconds - mtimeSeconds) / 86_400d);
    }
}
