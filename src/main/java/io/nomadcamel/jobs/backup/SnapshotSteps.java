package io.nomadcamel.jobs.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.nomadcamel.jobs.process.ProcessRunner;
import org.apache.camel.ExchangeProperty;

/**
 * The snapshot legs: {@code nomad operator snapshot save <file>} and {@code consul snapshot save <file>}, run with
 * ProcessRunner (not camel-exec: see docs/decisions.md) so that the token is only in the child's environment and
 * stopping the run kills the CLI. The CLI writes into the run's temp folder; a failed save leaves nothing behind.
 */
public class SnapshotSteps {

    public Artifact nomad(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup) {
        BackupSettings s = backup.settings();
        Artifact artifact = backup.artifact(BackupLayout.Kind.NOMAD, null);
        backup.run().progress("saving the nomad snapshot");
        save(backup, artifact, ProcessRunner.command(s.nomadBin(), "operator", "snapshot", "save",
                artifact.temp().toString())
                .env("NOMAD_ADDR", s.nomadAddr().orElse(null))
                .env("NOMAD_TOKEN", s.nomadToken().orElse(null))
                .env("NOMAD_CACERT", s.nomadCacert().orElse(null))
                .peer("nomad"));
        return artifact;
    }

    public Artifact consul(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup) {
        BackupSettings s = backup.settings();
        Artifact artifact = backup.artifact(BackupLayout.Kind.CONSUL, null);
        backup.run().progress("saving the consul snapshot");
        save(backup, artifact, ProcessRunner.command(s.consulBin(), "snapshot", "save", artifact.temp().toString())
                .env("CONSUL_HTTP_ADDR", s.consulAddr().orElse(null))
                .env("CONSUL_HTTP_TOKEN", s.consulToken().orElse(null))
                .peer("consul"));
        return artifact;
    }

    private static void save(BackupRun backup, Artifact artifact, ProcessRunner command) {
        try {
            command.directory(backup.tempDir()).timeout(backup.settings().commandTimeout()).in(backup.run())
                    .run().check();
            if (!Files.isRegularFile(artifact.temp())) {
                throw new IllegalStateException(artifact.label() + ": the CLI exited 0 but wrote no file at "
                        + artifact.temp());
            }
        } catch (RuntimeException e) {
            removeLeftovers(artifact.temp());
            throw e;
        }
    }

    /** The file and what a CLI may leave beside it (consul writes {@code <file>.unverified} first). */
    static void removeLeftovers(Path file) {
        for (Path p : new Path[] {file, file.resolveSibling(file.getFileName() + ".unverified"),
                file.resolveSibling(file.getFileName() + ".partial")}) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // the run's temp folder is removed at its end anyway
            }
        }
    }
}
