package io.nomadcamel.jobs.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the backups' manifests say, newest first: which databases the newest successful backup dumped, and for each
 * database its newest dump that a manifest lists with a place (local path or S3 key), SHA-256 and row counts.
 * Read from {@code BACKUP_DIR/manifests} or from S3's {@code backups/manifests/}, as the drill's source says.
 */
final class BackupCatalog {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One dump as its manifest lists it; {@code location} is its local path or S3 key. */
    record Dump(String database, String timestamp, String location, String sha256, Map<String, Long> tableCounts) {
    }

    private final String source;
    private final List<JsonNode> manifests;

    private BackupCatalog(String source, List<JsonNode> manifests) {
        this.source = source;
        this.manifests = manifests.stream()
                .sorted(Comparator.comparing((JsonNode m) -> m.path("timestamp").asText()).reversed()).toList();
    }

    static BackupCatalog local(Path backupDir) throws IOException {
        Path dir = backupDir.resolve(BackupLayout.localFolder(BackupLayout.Kind.MANIFEST, null));
        List<JsonNode> manifests = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    if (BackupLayout.ofLocalPath(dir.getFileName() + "/" + f.getFileName()).isPresent()) {
                        manifests.add(JSON.readTree(f.toFile()));
                    }
                }
            }
        }
        return new BackupCatalog(dir.toString(), manifests);
    }

    static BackupCatalog s3(S3Client s3, String bucket) throws IOException {
        String prefix = BackupLayout.S3_ROOT + "manifests/";
        List<JsonNode> manifests = new ArrayList<>();
        for (var o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            if (BackupLayout.ofS3Key(o.key()).filter(f -> f.kind() == BackupLayout.Kind.MANIFEST).isPresent()) {
                manifests.add(JSON.readTree(s3.getObjectAsBytes(g -> g.bucket(bucket).key(o.key())).asByteArray()));
            }
        }
        return new BackupCatalog("s3://" + bucket + "/" + prefix, manifests);
    }

    /** The databases the newest manifest without errors lists as dumped and verified, in its order. */
    List<String> newestSuccessfulDatabases() {
        for (JsonNode m : manifests) {
            if (m.path("errors").isEmpty()) {
                List<String> names = new ArrayList<>();
                databaseArtifacts(m).forEach(a -> names.add(a.path("database").asText()));
                return names;
            }
        }
        throw new IllegalStateException("no successful backup run has a manifest in " + source);
    }

    /** The newest dump of this database that a manifest lists at this source, verified, with its row counts. */
    Optional<Dump> newestDump(String database, boolean s3) {
        for (JsonNode m : manifests) {
            for (JsonNode a : databaseArtifacts(m)) {
                String location = a.path(s3 ? "s3_key" : "path").asText(null);
                if (a.path("database").asText().equals(database) && location != null
                        && a.path("sha256").isTextual()) {
                    return Optional.of(new Dump(database, m.path("timestamp").asText(), location,
                            a.path("sha256").asText(), counts(a.path("table_counts"))));
                }
            }
        }
        return Optional.empty();
    }

    String source() {
        return source;
    }

    private static List<JsonNode> databaseArtifacts(JsonNode manifest) {
        List<JsonNode> list = new ArrayList<>();
        manifest.path("artifacts").forEach(a -> {
            if ("database".equals(a.path("kind").asText()) && a.path("verified").asBoolean()) {
                list.add(a);
            }
        });
        return list;
    }

    /** Null when the dump was made before the backup recorded row counts. */
    private static Map<String, Long> counts(JsonNode node) {
        if (!node.isObject()) {
            return null;
        }
        Map<String, Long> counts = new TreeMap<>();
        node.fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asLong()));
        return counts;
    }
}
