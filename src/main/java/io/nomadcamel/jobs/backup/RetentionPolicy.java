package io.nomadcamel.jobs.backup;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which backups retention deletes: those older than the cut-off, except the newest of each series (nomad, consul,
 * globals, each database, manifests), which is kept however old it is: when backups stop working, the last good one
 * must outlive the retention period.
 */
final class RetentionPolicy {

    /** A backup file or object: its series, its path or key, and its age (mtime or LastModified). */
    record Entry(String series, String id, Instant time) {
    }

    static final Comparator<Entry> OLDEST_FIRST = Comparator.comparing(Entry::time).thenComparing(Entry::id);

    private RetentionPolicy() {
    }

    /** The expired entries, by id. */
    static List<Entry> expired(Collection<Entry> entries, Instant cutoff) {
        Map<String, Entry> newest = new HashMap<>();
        for (Entry e : entries) {
            newest.merge(e.series(), e, (a, b) -> OLDEST_FIRST.compare(a, b) >= 0 ? a : b);
        }
        return entries.stream()
                .filter(e -> e.time().isBefore(cutoff))
                .filter(e -> newest.get(e.series()) != e)
                .sorted(Comparator.comparing(Entry::id))
                .toList();
    }
}
