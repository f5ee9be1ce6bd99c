package io.nomadcamel.jobs.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.postgres.ManagedServer;
import io.nomadcamel.jobs.process.ExecRequest;
import io.nomadcamel.jobs.s3.S3Clients;
import io.nomadcamel.jobs.scheduler.RunContext;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The restore drill's beans (routes/restore-drill.camel.yaml): the plan (which dumps, from where), fetching a dump
 * and checking its SHA-256 against its manifest, the scratch database, pg_restore's arguments, the row-count
 * comparison, and the clean-up that drops every scratch database of the run whatever happened.
 */
public class DrillSteps {

    private static final Logger LOG = LoggerFactory.getLogger(DrillSteps.class);
    /** Exchange property: this database holds one of the run's {@code concurrency} slots. */
    static final String SLOT = "drillSlot";

    private final Supplier<Settings> settings;
    private final BackupMetrics metrics;

    DrillSteps(Supplier<Settings> settings, BackupMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    /**
     * Reads the input and settings (a bad one fails the run here, before any change), takes the drill lock on the
     * drill server, reads the manifests of the source and fixes the databases to drill.
     */
    public DrillRun plan(@Body Map<String, Object> body, @ExchangeProperty(RunContext.PROPERTY) RunContext run)
            throws IOException, SQLException {
        RestoreDrillJobType.Input input = RestoreDrillJobType.Input.from(body);
        Settings all = settings.get();
        BackupSettings server = BackupSettings.from(all);
        BackupSettings drillServer = server.onHost(all.string("drill.pg-host", server.server().host()));
        Path temp = Files.createDirectories(server.backupDir().resolve(".tmp").resolve("drill-" + run.runId()));
        DrillRun drill = new DrillRun(run, server, drillServer, input, temp);
        // the guarantee beneath the route's doFinally: whatever an edited route does (or a failure below), the run's
        // downloads, S3 client, scratch databases and drill lock go
        run.onEnd("restore-drill-scratch", r -> release(drill));
        run.progress("reading the backups' manifests (" + (input.fromS3() ? "s3" : "local") + ")");
        if (input.fromS3()) {
            // one client for the run (a stop closes it, ending any download); released with the scratch databases
            S3Client s3 = drill.s3(run.track(S3Clients.create(server.s3())));
            drill.catalog(BackupCatalog.s3(s3, server.s3().bucket()));
        } else {
            drill.catalog(BackupCatalog.local(server.backupDir()));
        }
        drill.scratch(ScratchDatabases.lock(drillServer, run.runId()));
        drill.plan(input.databases() != null ? input.databases() : drill.catalog().newestSuccessfulDatabases());
        LOG.info("restore drill run {} starting: {} databases from {}, restoring on {}:{}", run.runId(),
                drill.planned().size(), drill.catalog().source(),
                drillServer.server().host(), drillServer.server().port());
        return drill;
    }

    /**
     * The route's {@code jdbc:} listing of the backed-up server: a database there that the newest successful backup
     * did not dump is "not covered" (the listing leaves drills' scratch databases out).
     */
    public void coverage(@ExchangeProperty(DrillRun.PROPERTY) DrillRun drill,
            @Body List<Map<String, Object>> rows) {
        Set<String> covered;
        try {
            covered = new TreeSet<>(drill.catalog().newestSuccessfulDatabases());
        } catch (IllegalStateException none) {
            covered = Set.of();
        }
        List<String> notCovered = new ArrayList<>();
        for (String name : ManagedServer.databaseNames(rows)) {
            if (!covered.contains(name)) {
                notCovered.add(name);
            }
        }
        drill.notCovered(notCovered);
        if (!notCovered.isEmpty()) {
            LOG.warn("restore drill run {}: not covered by the newest backup: {}", drill.run().runId(), notCovered);
        }
    }

    /** Drops the scratch databases a crashed drill left; answers the databases to drill, for the split. */
    public List<String> dropStale(@ExchangeProperty(DrillRun.PROPERTY) DrillRun drill) throws SQLException {
        drill.staleDropped(drill.scratch().dropStale());
        List<String> names = drill.planned();
        drill.run().progress("drilling " + names.size() + " databases, " + drill.input().concurrency() + " at a time");
        return names;
    }

    /**
     * Waits for one of the run's slots, then finds the database's newest dump, downloads it from S3 (or takes the
     * local file) and checks its SHA-256 against the manifest.
     */
    public void fetch(@ExchangeProperty(DrillRun.PROPERTY) DrillRun drill, @Body String database,
            @org.apache.camel.ExchangeProperties Map<String, Object> properties)
            throws IOException {
        RunContext run = drill.run();
        run.acquire(drill.slots());
        properties.put(SLOT, true);
        DrillRun.DatabaseDrill d = drill.database(database);
        boolean s3 = drill.input().fromS3();
        BackupCatalog.Dump dump = drill.catalog().newestDump(database, s3).orElseThrow(() ->
                new IllegalStateException("no dump of it is listed in a manifest in " + drill.catalog().source()));
        d.dump = dump;
        drill.publish();
        if (dump.tableCounts() == null) {
            throw new IllegalStateException("its newest dump (" + dump.timestamp() + ") was made before the backup "
                    + "recorded row counts; the next backup records them");
        }
        if (!dump.location().endsWith(".dump")) {
            throw new IllegalStateException("its newest dump is not custom-format (" + dump.location()
                    + "): a drill restores custom-format dumps (backup.postgres.format=custom)");
        }
        Path file;
        if (s3) {
            file = drill.tempDir().resolve(d.n + ".dump");
            Files.deleteIfExists(file);
            drill.s3().getObject(g -> g.bucket(drill.server().s3().bucket()).key(dump.location()), file);
        } else {
            file = Path.of(dump.location());
        }
        d.file = file;
        String sha = Checksums.sha256(file);
        d.sha256Ok = sha.equalsIgnoreCase(dump.sha256());
        drill.publish();
        if (!d.sha256Ok) {
            throw new InvalidArtifactException("SHA-256 of " + dump.location() + " is " + sha + ", the manifest of "
                    + dump.timestamp() + " says " + dump.sha256());
        }
    }

    /** An empty scratch database on the drill server, named for the run and the database's place. */
    public void createScratch(@ExchangeProperty(DrillRun.PROPERTY) DrillRun drill,
            @ExchangeProperty("database") String database)
            throws SQLException {
        DrillRun.DatabaseDrill d = drill.database(database);
        String name = drill.scratch().name(d.n);
        d.scratch = name;
        drill.scratch().create(name);
        drill.run().progress("restoring " + database + " into " + name);
    }

    /** {@code pg_restore --no-owner --no-privileges --exit-on-error --dbname=<scratch> <dump>} on the drill server. */
    public void restoreCommand(@ExchangeProperty(DrillRun.PROPERTY) DrillRun drill,
            @ExchangeProperty("database") String database,
            @Headers Map<String, Object> headers) {
        DrillRun.DatabaseDrill d = drill.database(database);
        BackupSettings s = drill.drillServer();
        ExecRequest.args(PostgresSteps.serverArguments(s, "--no-owner", "--no-privileges", "--exit-on-error",
                        "--dbname=dbname=" + PostgresSteps.conninfoQuote(d.scratch), d.file.toString()))
                .workingDir(drill.tempDir()).timeout(s.commandTimeout()).into(headers);
    }

    /** pg_restore exited 0: every table's rows in the scratch database against the counts of the dump's snapshot. */
    public void compare(@ExchangeProperty(DrillRun.PROPERTY) DrillRun drill,
            @ExchangeProperty("database") String database)
            throws SQLException {
        DrillRun.DatabaseDrill d = drill.database(database);
        d.restored = true;
        Map<String, Long> found;
        try (Connection c = ManagedServer.connect(drill.drillServer().server(), d.scratch,
                ScratchDatabases.APPLICATION_NAME, null)) {
            found = TableCounts.of(c);
        }
        Map<String, Long> expected = d.dump.tableCounts();
        List<Map<String, Object>> mismatches = new ArrayList<>();
        Set<String> tables = new TreeSet<>(expected.keySet());
        tables.addAll(found.keySet());
        long rows = 0;
        for (String table : tables) {
            Long want = expected.get(table);
            Long got = found.get(table);
            rows += got == null ? 0 : got;
            if (want == null || !want.equals(got)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("table", table);
                m.put("expected", want);
                m.put("found", got);
                mismatches.add(m);
            }
        }
        d.tables = expected.size();
        d.rowsChecked = rows;
        d.mismatches = List.copyOf(mismatches);
        if (!mismatches.isEmpty()) {
            drill.publish();
            throw new IllegalStateException(mismatches.size() + " tables differ from the dump's row counts: "
                    + mismatches);
        }
        d.verifiedAt = Instant.now().toString();
        metrics.verified(database, Instant.now());
        drill.publish();
    }

    /** Bound by annotations, not by a simple expression, which reads a database named "null" as null. */
    public void databaseFailed(@ExchangeProperty(DrillRun.PROPERTY) DrillRun drill,
            @ExchangeProperty("database") String database,
            @ExchangeProperty(org.apache.camel.Exchange.EXCEPTION_CAUGHT) Throwable e) {
        String message = Failures.message(e);
        LOG.warn("restore drill run {}: database \"{}\" failed: {}", drill.run().runId(), database, message);
        drill.database(database).error = message;
        drill.publish();
    }

    /** After each database, whatever happened: its scratch database and downloaded dump go, its slot is freed. */
    public void dropScratch(@ExchangeProperty(DrillRun.PROPERTY) DrillRun drill,
            @ExchangeProperty("database") String database,
            @org.apache.camel.ExchangeProperties Map<String, Object> properties) throws SQLException, IOException {
        DrillRun.DatabaseDrill d = drill.database(database);
        try {
            if (d.scratch != null) {
                drill.scratch().drop(d.scratch);
            }
            if (d.file != null && d.file.startsWith(drill.tempDir())) {
                Files.deleteIfExists(d.file);
            }
        } finally {
            d.seconds = (System.currentTimeMillis() - d.started) / 1000.0;
            drill.publish();
            if (properties.remove(SLOT) != null) {
                drill.slots().release();
            }
        }
    }

    /** The result; throws (failing the run, its partial result kept) naming every database that failed. */
    public Map<String, Object> finish(@ExchangeProperty(DrillRun.PROPERTY) DrillRun drill) {
        drill.run().checkNotStopped();
        drill.publish();
        List<DrillRun.DatabaseDrill> failed = drill.failed();
        if (!failed.isEmpty()) {
            StringBuilder m = new StringBuilder("restore drill failed: ");
            failed.forEach(d -> m.append("database \"").append(d.database).append("\": ")
                    .append(d.error == null ? "not drilled" : d.error).append("; "));
            throw new DrillFailedException(m.substring(0, m.length() - 2));
        }
        drill.run().progress("done: " + drill.planned().size() + " databases restored, every table's rows matched");
        return drill.result();
    }

    /** Runs on every exit: the run's scratch databases and downloads go, the drill lock is released. */
    public void cleanUp(@ExchangeProperty(DrillRun.PROPERTY) DrillRun drill) {
        if (drill == null) {
            return;
        }
        String error = release(drill);
        if (error != null) {
            LOG.warn("restore drill run {}: {}", drill.run().runId(), error);
        }
    }

    /**
     * Deletes the run's downloads, closes its S3 client, drops its scratch databases and releases the drill lock.
     * Idempotent: the route's clean-up and the run's end hook both call it; the first one done closes the lock.
     */
    private static String release(DrillRun drill) {
        BackupSteps.deleteTree(drill.tempDir());
        S3Client s3 = drill.takeS3();
        if (s3 != null) {
            drill.run().untrack(s3);
            s3.close();
        }
        ScratchDatabases scratch = drill.takeScratch();
        if (scratch == null) {
            return null;
        }
        try (scratch) {
            scratch.dropOwn();
            return null;
        } catch (SQLException e) {
            return "could not drop the run's scratch databases on " + drill.drillServer().server().host() + ": "
                    + e.getMessage();
        }
    }

    /** Some database failed its drill; the message names each one and why. */
    public static final class DrillFailedException extends RuntimeException {
        public DrillFailedException(String message) {
            super(message);
        }
    }
}
