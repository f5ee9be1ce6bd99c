package io.nomadcamel.jobs.backup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

import io.nomadcamel.jobs.scheduler.RunContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One restore drill's state, shared by its parallel split (exchange property {@value #PROPERTY}): the plan, each
 * database's outcome, the databases no backup covers. Published to the run at every change, so a failed or stopped
 * drill keeps a partial result.
 */
final class DrillRun {

    static final String PROPERTY = "drill";

    /** One database's drill, filled in as its steps go. */
    static final class DatabaseDrill {
        final String database;
        final int n;
        volatile BackupCatalog.Dump dump;
        volatile Path file;
        volatile String scratch;
        volatile boolean sha256Ok;
        volatile boolean restored;
        volatile int tables;
        volatile long rowsChecked;
        volatile List<Map<String, Object>> mismatches = List.of();
        volatile double seconds;
        volatile String error;
        volatile String verifiedAt;
        final long started = System.currentTimeMillis();

        DatabaseDrill(String database, int n) {
            this.database = database;
            this.n = n;
        }

        boolean ok() {
            return error == null && sha256Ok && restored && mismatches.isEmpty();
        }

        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("database", database);
            m.put("artifact", dump == null ? null : dump.location());
            m.put("backup_timestamp", dump == null ? null : dump.timestamp());
            m.put("sha256_ok", sha256Ok);
            m.put("restored", restored);
            m.put("tables", tables);
            m.put("rows_checked", rowsChecked);
            m.put("mismatches", mismatches);
            m.put("seconds", seconds);
            m.put("verified_at", verifiedAt);
            m.put("error", error);
            return m;
        }
    }

    private final RunContext run;
    private final BackupSettings server;
    private final BackupSettings drillServer;
    private final RestoreDrillJobType.Input input;
    private final Path tempDir;
    private final Semaphore slots;
    private final Map<String, DatabaseDrill> databases = Collections.synchronizedMap(new LinkedHashMap<>());
    private volatile List<String> notCovered = List.of();
    private volatile List<String> staleDropped = List.of();
    private volatile BackupCatalog catalog;
    private volatile ScratchDatabases scratch;
    private volatile S3Client s3;

    DrillRun(RunContext run, BackupSettings server, BackupSettings drillServer, RestoreDrillJobType.Input input,
            Path tempDir) {
        this.run = run;
        this.server = server;
        this.drillServer = drillServer;
        this.input = input;
        this.tempDir = tempDir;
        this.slots = new Semaphore(input.concurrency(), true);
    }

    RunContext run() {
        return run;
    }

    BackupSettings server() {
        return server;
    }

    BackupSettings drillServer() {
        return drillServer;
    }

    RestoreDrillJobType.Input input() {
        return input;
    }

    Path tempDir() {
        return tempDir;
    }

    Semaphore slots() {
        return slots;
    }

    BackupCatalog catalog() {
        return catalog;
    }

    void catalog(BackupCatalog catalog) {
        this.catalog = catalog;
    }

    ScratchDatabases scratch() {
        return scratch;
    }

    void scratch(ScratchDatabases scratch) {
        this.scratch = scratch;
    }

    /** The run's S3 client (drills from S3 only). */
    S3Client s3() {
        return s3;
    }

    S3Client s3(S3Client client) {
        this.s3 = client;
        return client;
    }

    /** The S3 client, once: the caller closes it. */
    synchronized S3Client takeS3() {
        S3Client taken = s3;
        s3 = null;
        return taken;
    }

    /** The scratch databases' handle, once: whoever takes it drops what is left and closes it. */
    synchronized ScratchDatabases takeScratch() {
        ScratchDatabases taken = scratch;
        scratch = null;
        return taken;
    }

    /** The databases to drill, in order. */
    List<String> planned() {
        synchronized (databases) {
            return List.copyOf(databases.keySet());
        }
    }

    void plan(List<String> names) {
        for (String name : names) {
            databases.putIfAbsent(name, new DatabaseDrill(name, databases.size() + 1));
        }
        publish();
    }

    DatabaseDrill database(String name) {
        return databases.get(name);
    }

    void notCovered(List<String> names) {
        this.notCovered = List.copyOf(names);
        publish();
    }

    void staleDropped(List<String> names) {
        this.staleDropped = List.copyOf(names);
        publish();
    }

    List<DatabaseDrill> failed() {
        synchronized (databases) {
            return databases.values().stream().filter(d -> !d.ok()).toList();
        }
    }

    void publish() {
        result().forEach(run::putResult);
    }

    Map<String, Object> result() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("source", input.fromS3() ? "s3" : "local");
        r.put("drill_host", drillServer.server().host());
        List<Map<String, Object>> list = new ArrayList<>();
        synchronized (databases) {
            databases.values().forEach(d -> list.add(d.describe()));
        }
        r.put("databases", list);
        r.put("not_covered", notCovered);
        r.put("stale_scratch_dropped", staleDropped);
        return r;
    }
}
