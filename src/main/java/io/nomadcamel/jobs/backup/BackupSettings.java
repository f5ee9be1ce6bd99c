package io.nomadcamel.jobs.backup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.postgres.ServerSettings;
import io.nomadcamel.jobs.s3.S3Settings;

/**
 * The settings a backup run needs (design §6), read when the run starts: a missing one fails that run, naming the
 * variable. The programs' paths and the snapshot CLIs' addresses and tokens are not here: the exec profiles
 * (io.nomadcamel.jobs.process.ExecProfiles) read them when their step runs. The PostgreSQL password (for the
 * {@code jdbc:} step's connection) is left out of {@link #toString()}.
 */
public record BackupSettings(
        Path backupDir,
        ServerSettings server,
        boolean plainFormat,
        Optional<Duration> lockWaitTimeout,
        Duration commandTimeout,
        long partSizeBytes,
        S3Settings s3) {

    static final String FORMAT = "backup.postgres.format";
    static final String PART_SIZE = "backup.s3.part-size-mb";

    public static BackupSettings from(Settings s) {
        String format = s.string(FORMAT, "custom").toLowerCase(Locale.ROOT);
        if (!format.equals("custom") && !format.equals("plain")) {
            throw new Settings.InvalidSettingException("Setting " + FORMAT + " (environment variable "
                    + Settings.envName(FORMAT) + ") must be custom or plain, got '" + format + "'");
        }
        int partSizeMb = s.integer(PART_SIZE, 64);
        if (partSizeMb < 5 || partSizeMb > 5120) {
            // S3's limits: parts of 5 MiB to 5 GiB
            throw new Settings.InvalidSettingException("Setting " + PART_SIZE + " (environment variable "
                    + Settings.envName(PART_SIZE) + ") must be from 5 to 5120, got " + partSizeMb);
        }
        return new BackupSettings(
                Path.of(s.string("backup.dir", "backups")).toAbsolutePath(),
                ServerSettings.from(s),
                format.equals("plain"),
                Optional.ofNullable(s.duration("backup.postgres.lock-wait-timeout", null)),
                s.duration("backup.command-timeout", Duration.ofHours(6)),
                partSizeMb * 1024L * 1024L,
                S3Settings.from(s));
    }

    /** The same settings for another server (a restore drill's DRILL_PG_HOST). */
    BackupSettings onHost(String host) {
        return new BackupSettings(backupDir, new ServerSettings(host, server.port(), server.user(), server.password(),
                server.database(), server.retryDelay()), plainFormat, lockWaitTimeout, commandTimeout, partSizeBytes,
                s3);
    }

    public String dumpExtension() {
        return plainFormat ? ".sql.gz" : ".dump";
    }

    @Override
    public String toString() {
        return "BackupSettings[dir=" + backupDir + ", pg=" + server + ", format="
                + (plainFormat ? "plain" : "custom") + ", " + s3 + "]";
    }
}
