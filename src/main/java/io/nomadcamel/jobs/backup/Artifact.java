package io.nomadcamel.jobs.backup;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One file a backup run produces, as it moves through the route: written to the run's temp folder, verified,
 * kept (moved to its final path), uploaded. Fields are set by the step that learns them; the route's threads hand
 * an artifact from step to step, never share one.
 */
public final class Artifact {

    private final BackupLayout.Kind kind;
    private final String database;
    private final Path temp;
    private final Path target;
    private final String s3Key;
    private volatile long bytes = -1;
    private volatile String sha256;
    private volatile boolean verified;
    private volatile boolean kept;
    private volatile boolean uploaded;
    private volatile String error;
    private volatile Map<String, Long> tableCounts;

    Artifact(BackupLayout.Kind kind, String database, Path temp, Path target, String s3Key) {
        this.kind = kind;
        this.database = database;
        this.temp = temp;
        this.target = target;
        this.s3Key = s3Key;
    }

    public BackupLayout.Kind kind() {
        return kind;
    }

    /** The database's real name, for a database dump; null otherwise. */
    public String database() {
        return database;
    }

    /** Where the program writes it; nothing is ever left here after the run. */
    public Path temp() {
        return temp;
    }

    /** Where it lives once verified. */
    public Path target() {
        return target;
    }

    /** The key it is uploaded to. */
    public String s3Key() {
        return s3Key;
    }

    public long bytes() {
        return bytes;
    }

    public String sha256() {
        return sha256;
    }

    public boolean verified() {
        return verified;
    }

    public boolean kept() {
        return kept;
    }

    public boolean uploaded() {
        return uploaded;
    }

    public String error() {
        return error;
    }

    /** What the artifact is, for messages: "nomad snapshot", "database \"app\"". */
    public String label() {
        return switch (kind) {
            case NOMAD -> "nomad snapshot";
            case CONSUL -> "consul snapshot";
            case GLOBALS -> "postgres globals";
            case DATABASE -> "database \"" + database + "\"";
            case MANIFEST -> "manifest";
        };
    }

    void verified(long size, String sha) {
        this.bytes = size;
        this.sha256 = sha;
        this.verified = true;
    }

    /** A dump's row count per table, counted in the snapshot it was dumped in. */
    void tableCounts(Map<String, Long> counts) {
        this.tableCounts = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(counts));
    }

    Map<String, Long> tableCounts() {
        return tableCounts;
    }

    void markKept() {
        this.kept = true;
    }

    void markUploaded() {
        this.uploaded = true;
    }

    void failed(String message) {
        this.error = message;
    }

    /** The entry of the manifest and of the run's result. */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
        if (database != null) {
            m.put("database", database);
        }
        m.put("path", kept ? target.toString() : null);
        m.put("s3_key", uploaded ? s3Key : null);
        m.put("bytes", bytes < 0 ? null : bytes);
        m.put("sha256", sha256);
        m.put("verified", verified);
        if (tableCounts != null) {
            m.put("table_counts", tableCounts);
        }
        if (error != null) {
            m.put("error", error);
        }
        return m;
    }
}
