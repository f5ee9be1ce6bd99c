package io.nomadcamel.jobs.backup;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.camel.ExchangeProperty;

/**
 * The run's manifest: every artifact with its path, S3 key (null if it did not reach S3), size, SHA-256 and
 * verification, plus the run's errors. Written beside the backups ({@code manifests/manifest-<ts>.json}) and
 * uploaded last, so an object store holding a manifest holds everything it lists that has a key.
 */
public class ManifestSteps {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Artifact write(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup) throws IOException {
        backup.run().checkNotStopped();
        List<Map<String, Object>> artifacts = backup.keptArtifacts().stream().map(Artifact::describe).toList();
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("run_id", backup.run().runId());
        manifest.put("job", backup.run().job() == null ? null : backup.run().job().id());
        manifest.put("timestamp", backup.timestamp());
        manifest.put("written_at", Instant.now().toString());
        manifest.put("bucket", backup.storage().bucket());
        manifest.put("artifacts", artifacts);
        manifest.put("errors", backup.errors());
        Artifact artifact = backup.artifact(BackupLayout.Kind.MANIFEST, null);
        JSON.writeValue(artifact.temp().toFile(), manifest);
        return artifact;
    }
}
