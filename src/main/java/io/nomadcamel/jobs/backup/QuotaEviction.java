package io.nomadcamel.jobs.backup;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Makes room when the store is full: deletes the oldest backup (by LastModified) in the folder of the key being
 * written. Only backup files of {@link BackupLayout} are candidates; never the key being written, never the newest
 * object of any series, so the latest good backup survives however full the store is.
 */
final class QuotaEviction {

    private static final Comparator<S3Object> OLDEST_FIRST = Comparator.comparing(S3Object::lastModified)
            .thenComparing(S3Object::key);

    private QuotaEviction() {
    }

    /** Deletes one object and returns its key; empty if nothing may be evicted. */
    static Optional<String> evictOldest(S3Client s3, String bucket, String writing) {
        String folder = writing.substring(0, writing.lastIndexOf('/') + 1);
        Map<String, List<S3Object>> bySeries = new LinkedHashMap<>();
        // the folder only (delimiter "/"): the globals' folder also holds one sub-folder per database
        s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(folder).delimiter("/")).contents().forEach(o -> {
            if (!o.key().equals(writing)) {
                BackupLayout.ofS3Key(o.key()).ifPresent(f -> bySeries.computeIfAbsent(f.series(),
                        k -> new ArrayList<>()).add(o));
            }
        });
        List<S3Object> candidates = new ArrayList<>();
        for (List<S3Object> series : bySeries.values()) {
            series.sort(OLDEST_FIRST);
            candidates.addAll(series.subList(0, series.size() - 1)); // the newest of each series stays
        }
        Optional<S3Object> oldest = candidates.stream().min(OLDEST_FIRST);
        oldest.ifPresent(o -> s3.deleteObject(d -> d.bucket(bucket).key(o.key())));
        return oldest.map(S3Object::key);
    }
}
