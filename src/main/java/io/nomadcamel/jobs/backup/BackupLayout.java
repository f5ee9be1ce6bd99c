package io.nomadcamel.jobs.backup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where each backup file lives, locally and in S3 (design §5), and which series a file belongs to. The same names
 * on both sides, so retention and quota eviction recognise exactly the files the backup writes and nothing else:
 * <pre>
 * local (under BACKUP_DIR)                          S3
 * nomad-snapshots/nomad-&lt;ts&gt;.snap                  backups/nomad/nomad-&lt;ts&gt;.snap
 * consul-snapshots/consul-&lt;ts&gt;.snap                backups/consul/consul-&lt;ts&gt;.snap
 * postgres-backups/postgres-globals-&lt;ts&gt;.sql.gz    backups/postgres/postgres-globals-&lt;ts&gt;.sql.gz
 * postgres-backups/&lt;safe&gt;/postgres-&lt;safe&gt;-&lt;ts&gt;.dump (or .sql.gz)
 *                                                   backups/postgres/&lt;safe&gt;/postgres-&lt;safe&gt;-&lt;ts&gt;.dump
 * manifests/manifest-&lt;ts&gt;.json                     backups/manifests/manifest-&lt;ts&gt;.json
 * </pre>
 * {@code <ts>} is the run's start, UTC {@code yyyyMMddHHmmss}.
 */
public final class BackupLayout {

    public static final String S3_ROOT = "backups/";
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    /** The kinds of file a backup run writes; each database is a series of its own. */
    public enum Kind {
        NOMAD("nomad-snapshots", "nomad", "nomad-", ".snap"),
        CONSUL("consul-snapshots", "consul", "consul-", ".snap"),
        GLOBALS("postgres-backups", "postgres", "postgres-globals-", ".sql.gz"),
        DATABASE("postgres-backups", "postgres", "postgres-", null),
        MANIFEST("manifests", "manifests", "manifest-", ".json");

        final String localFolder;
        final String s3Folder;
        final String prefix;
        final String extension;

        Kind(String localFolder, String s3Folder, String prefix, String extension) {
            this.localFolder = localFolder;
            this.s3Folder = s3Folder;
            this.prefix = prefix;
            this.extension = extension;
        }
    }

    /** A recognised backup file: its series ("nomad", "globals", "database:<safe>", …) and run timestamp. */
    public record BackupFile(Kind kind, String series, String timestamp) {
    }

    private static final Pattern TOP = Pattern.compile(
            "(nomad|consul)-(\\d{14})\\.snap|postgres-globals-(\\d{14})\\.sql\\.gz|manifest-(\\d{14})\\.json");
    private static final Pattern DUMP = Pattern.compile("postgres-(.+)-(\\d{14})\\.(dump|sql\\.gz)");

    private BackupLayout() {
    }

    public static String timestamp(Instant at) {
        return TS.format(at);
    }

    /**
     * A database name as a file name: every character outside {@code [A-Za-z0-9._-]} becomes {@code _} (a name of dots
     * only becomes underscores too, so it can never point at a parent folder), and a name that had to change gets
     * {@code _<8 hex of sha256(name)>} appended. So the name is the same in every run whatever other databases exist,
     * and two databases never share a series: "a b" is {@code a_b_<hash>}, "a_b" is {@code a_b}. (Hashing only on a
     * clash made "a b" move between folders as "a_b" came and went, mixing the two series, and retention could then
     * delete a dropped database's last dump as an older file of the other's series.)
     */
    public static String safeName(String database) {
        StringBuilder out = new StringBuilder();
        database.codePoints().forEach(c -> out.append(
                (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                        || c == '-' ? (char) c : '_'));
        String safe = out.toString();
        if (safe.chars().allMatch(c -> c == '.')) {
            safe = "_".repeat(safe.length());
        }
        return safe.equals(database) ? safe : safe + "_" + shortHash(database);
    }

    /** Safe names for a run's databases, by database. */
    public static Map<String, String> safeNames(Collection<String> databases) {
        Map<String, String> names = new LinkedHashMap<>();
        databases.forEach(d -> names.put(d, safeName(d)));
        return names;
    }

    /** The file name of a backup of this kind ({@code safe} only for a database; {@code ext} for a dump). */
    public static String fileName(Kind kind, String safe, String ts, String dumpExtension) {
        return kind == Kind.DATABASE ? kind.prefix + safe + "-" + ts + dumpExtension : kind.prefix + ts + kind.extension;
    }

    /** The folder under BACKUP_DIR, relative. */
    public static String localFolder(Kind kind, String safe) {
        return kind == Kind.DATABASE ? kind.localFolder + "/" + safe : kind.localFolder;
    }

    public static String s3Key(Kind kind, String safe, String fileName) {
        return S3_ROOT + kind.s3Folder + "/" + (kind == Kind.DATABASE ? safe + "/" : "") + fileName;
    }

    /** The backup file at this path relative to BACKUP_DIR ("/" separated), if it is one. */
    public static Optional<BackupFile> ofLocalPath(String relative) {
        return of(relative, true);
    }

    /** The backup file at this S3 key, if it is one. */
    public static Optional<BackupFile> ofS3Key(String key) {
        return key.startsWith(S3_ROOT) ? of(key.substring(S3_ROOT.length()), false) : Optional.empty();
    }

    private static Optional<BackupFile> of(String relative, boolean local) {
        String[] parts = relative.split("/", -1);
        if (parts.length == 2) {
            Matcher m = TOP.matcher(parts[1]);
            if (!m.matches()) {
                return Optional.empty();
            }
            Kind kind = m.group(1) != null ? ("nomad".equals(m.group(1)) ? Kind.NOMAD : Kind.CONSUL)
                    : m.group(3) != null ? Kind.GLOBALS : Kind.MANIFEST;
            if (!parts[0].equals(local ? kind.localFolder : kind.s3Folder)) {
                return Optional.empty();
            }
            String ts = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4);
            return Optional.of(new BackupFile(kind, kind.name().toLowerCase(java.util.Locale.ROOT), ts));
        }
        if (parts.length == 3 && parts[0].equals(local ? Kind.DATABASE.localFolder : Kind.DATABASE.s3Folder)) {
            Matcher m = DUMP.matcher(parts[2]);
            if (m.matches() && m.group(1).equals(parts[1])) {
                return Optional.of(new BackupFile(Kind.DATABASE, "database:" + parts[1], m.group(2)));
            }
        }
        return Optional.empty();
    }

    private static String shortHash(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
