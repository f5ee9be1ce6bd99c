package io.nomadcamel.jobs.backup;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;

/**
 * What happens to every file a backup writes, in this order: verify it (and take its size and SHA-256) while it is
 * still in the run's temp folder, keep it (move it to its final path), upload it. A file that fails verification
 * is deleted: only verified backups ever reach the backup folders, so "the newest file of a series" is always the
 * newest good backup.
 */
public class ArtifactSteps {

    private final BackupMetrics metrics;

    ArtifactSteps(BackupMetrics metrics) {
        this.metrics = metrics;
    }

    public Artifact verify(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup, @Body Artifact artifact,
            @ExchangeProperty(PostgresSteps.LISTED) Boolean listed) throws IOException {
        try {
            switch (artifact.kind()) {
                case NOMAD, CONSUL -> SnapshotArchive.verify(artifact.temp());
                case GLOBALS -> Checksums.checkGzip(artifact.temp());
                case DATABASE -> verifyDump(backup, artifact, Boolean.TRUE.equals(listed));
                case MANIFEST -> {
                    // written by this run a moment ago; its size and checksum are what the manifest entry needs
                }
            }
            artifact.verified(Files.size(artifact.temp()), Checksums.sha256(artifact.temp()));
        } catch (InvalidArtifactException e) {
            Files.deleteIfExists(artifact.temp());
            throw new InvalidArtifactException(artifact.label() + " failed verification: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(artifact.temp());
            throw e;
        }
        backup.publish();
        return artifact;
    }

    /**
     * A plain dump must be intact gzip; a custom one must have listed with {@code pg_restore --list}, the route's
     * {@code backup-pg-restore-list} step before this one (a route edit that drops it fails every custom dump).
     */
    private static void verifyDump(BackupRun backup, Artifact artifact, boolean listed) throws IOException {
        if (backup.settings().plainFormat()) {
            Checksums.checkGzip(artifact.temp());
        } else if (!listed) {
            throw new InvalidArtifactException("not checked with pg_restore --list (step backup-pg-restore-list)");
        }
    }

    /** Moves the verified file to its final path; never over an existing backup. */
    public Artifact keep(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup, @Body Artifact artifact)
            throws IOException {
        if (!artifact.verified()) {
            throw new IllegalStateException(artifact.label() + " is not verified and is not kept");
        }
        Files.createDirectories(artifact.target().getParent());
        if (Files.exists(artifact.target(), LinkOption.NOFOLLOW_LINKS)) {
            throw alreadyExists(artifact);
        }
        boolean linked = false;
        try {
            // a hard link refuses an existing target atomically (rename(2), what ATOMIC_MOVE is, replaces it)
            Files.createLink(artifact.target(), artifact.temp());
            linked = true;
        } catch (FileAlreadyExistsException e) {
            throw alreadyExists(artifact);
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException noHardLinks) {
            // a file system without hard links (some FUSE mounts): without REPLACE_EXISTING, move refuses an
            // existing target too, only not atomically
            Files.move(artifact.temp(), artifact.target());
        }
        if (linked) {
            Files.delete(artifact.temp());
        }
        artifact.markKept();
        backup.publish();
        return artifact;
    }

    private static IllegalStateException alreadyExists(Artifact artifact) {
        return new IllegalStateException(artifact.label() + ": " + artifact.target() + " already exists (a run of the "
                + "same second?); the existing backup is not overwritten");
    }

    /**
     * Uploads a kept file, at most {@code dump_concurrency} at once. A failure is a warning (and a metric), never
     * silent and never fatal to the run.
     */
    public Artifact upload(@ExchangeProperty(BackupRun.PROPERTY) BackupRun backup, @Body Artifact artifact) {
        backup.run().acquire(backup.uploadSlots());
        S3Storage.Upload upload;
        try {
            upload = backup.storage().upload(artifact.target(), artifact.s3Key());
        } finally {
            backup.uploadSlots().release();
        }
        for (String key : upload.evicted()) {
            backup.evicted(key);
        }
        if (upload.done()) {
            artifact.markUploaded();
            metrics.uploaded(artifact);
            backup.publish();
        } else {
            backup.run().checkNotStopped();
            metrics.uploadFailed(artifact);
            backup.warn(artifact.label() + " not uploaded to s3://" + backup.storage().bucket() + "/"
                    + artifact.s3Key() + ": " + upload.failure());
        }
        return artifact;
    }
}
