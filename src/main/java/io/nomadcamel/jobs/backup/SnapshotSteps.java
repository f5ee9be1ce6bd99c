package io.nomadcamel.jobs.backup;

import java.nio.file.Files;
import java.util.Map;

import io.nomadcamel.jobs.process.ExecRequest;
import org.apache.camel.ExchangeProperties;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Headers;

/**
 * The snapshot legs around their {@code exec:} steps: the arguments of {@code nomad operator snapshot save <file>}
 * and {@code consul snapshot save <file>} (the file in the run's temp folder; the tokens reach the CLIs through the
 * {@code nomad} and {@code consul} exec profiles, in their environment only), then the check that the CLI wrote its
 * file. A failed or stopped save leaves nothing: the temp folder goes when the run ends.
 */
public class SnapshotSteps {

    /** The exchange property holding the artifact an {@code exec:} step is writing. */
    static final String ARTIFACT = "artifact";

    public void nomad(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup, @Headers Map<String, Object> headers,
            @ExchangeProperties Map<String, Object> properties) {
        Artifact artifact = backup.artifact(BackupLayout.Kind.NOMAD, null);
        backup.run().progress("saving the nomad snapshot");
        request(backup, artifact, headers, properties, "operator", "snapshot", "save", artifact.temp().toString());
    }

    public void consul(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup, @Headers Map<String, Object> headers,
            @ExchangeProperties Map<String, Object> properties) {
        Artifact artifact = backup.artifact(BackupLayout.Kind.CONSUL, null);
        backup.run().progress("saving the consul snapshot");
        request(backup, artifact, headers, properties, "snapshot", "save", artifact.temp().toString());
    }

    /** After the save: the CLI exited 0, so its file must be there; the artifact goes on to verification. */
    public Artifact saved(@ExchangeProperty(ARTIFACT) Artifact artifact) {
        if (!Files.isRegularFile(artifact.temp())) {
            throw new IllegalStateException(artifact.label() + ": the CLI exited 0 but wrote no file at "
                    + artifact.temp());
        }
        return artifact;
    }

    private static void request(BackupRun backup, Artifact artifact, Map<String, Object> headers,
            Map<String, Object> properties, String... args) {
        properties.put(ARTIFACT, artifact);
        ExecRequest.args(args).workingDir(backup.tempDir()).timeout(backup.settings().commandTimeout())
                .into(headers);
    }
}
