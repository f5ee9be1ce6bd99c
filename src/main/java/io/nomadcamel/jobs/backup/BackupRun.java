package io.nomadcamel.jobs.backup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.nomadcamel.jobs.scheduler.RunContext;

/**
 * One backup run's state, shared by its parallel legs (exchange property {@value #PROPERTY}): what was produced,
 * what failed, the warnings. Every change is published to the run at once, so a run that fails or is stopped keeps
 * a partial result naming what was done.
 */
public final class BackupRun {

    public static final String PROPERTY = "backup";

    private final RunContext run;
    private final BackupSettings settings;
    private final BackupInput input;
    private final String timestamp;
    private final Path tempDir;
    private final S3Storage storage;
    private final Semaphore dumpSlots;
    private final Semaphore uploadSlots;
    private final Map<BackupLayout.Kind, Artifact> singles = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, Artifact> databases = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, String> safeNames = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, String> databaseErrors = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, String> errors = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final List<String> evicted = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger dumped = new AtomicInteger();
    private final AtomicInteger dumpsFailed = new AtomicInteger();
    private final AtomicLong firstDumpStart = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastDumpEnd = new AtomicLong();
    private volatile Map<String, Object> retention;

    BackupRun(RunContext run, BackupSettings settings, BackupInput input, String timestamp, Path tempDir,
            S3Storage storage) {
        this.run = run;
        this.settings = settings;
        this.input = input;
        this.timestamp = timestamp;
        this.tempDir = tempDir;
        this.storage = storage;
        this.dumpSlots = new Semaphore(input.dumpConcurrency(), true);
        this.uploadSlots = new Semaphore(input.dumpConcurrency(), true);
    }

    RunContext run() {
        return run;
    }

    BackupSettings settings() {
        return settings;
    }

    BackupInput input() {
        return input;
    }

    String timestamp() {
        return timestamp;
    }

    Path tempDir() {
        return tempDir;
    }

    S3Storage storage() {
        return storage;
    }

    Semaphore dumpSlots() {
        return dumpSlots;
    }

    Semaphore uploadSlots() {
        return uploadSlots;
    }

    /** A new artifact of this run: its temp file, final path and S3 key follow {@link BackupLayout}. */
    Artifact artifact(BackupLayout.Kind kind, String database) {
        String safe = database == null ? null : safeNames.get(database);
        String ext = kind == BackupLayout.Kind.DATABASE ? settings.dumpExtension() : null;
        String file = BackupLayout.fileName(kind, safe, timestamp, ext);
        String folder = BackupLayout.localFolder(kind, safe);
        Artifact artifact = new Artifact(kind, database, tempDir.resolve(folder.replace('/', '_') + "__" + file),
                settings.backupDir().resolve(folder).resolve(file), BackupLayout.s3Key(kind, safe, file));
        if (kind == BackupLayout.Kind.DATABASE) {
            databases.put(database, artifact);
        } else {
            singles.put(kind, artifact);
        }
        publish();
        return artifact;
    }

    /** The databases to dump, in order; fixes their safe names. */
    void databases(List<String> names) {
        safeNames.putAll(BackupLayout.safeNames(names));
        names.forEach(n -> databases.putIfAbsent(n, null));
        publish();
    }

    int databaseCount() {
        return safeNames.size();
    }

    /** Records a failed leg or artifact; the run fails at the end, after every other leg finished. */
    void failed(String what, String message) {
        errors.put(what, message);
        publish();
    }

    void databaseFailed(String database, String message) {
        Artifact artifact = databases.get(database);
        if (artifact != null) {
            artifact.failed(message);
        }
        databaseErrors.put(database, message);
        failed("database \"" + database + "\"", message);
    }

    void warn(String warning) {
        warnings.add(warning);
        publish();
    }

    /** An old backup deleted from S3 to make room; listed in the result and as a warning. */
    void evicted(String key) {
        evicted.add(key);
        warn("S3 store full: evicted the old backup " + key + " to make room");
    }

    void dumpStarted(long at) {
        firstDumpStart.accumulateAndGet(at, Math::min);
    }

    /** Counts a finished pg_dump (ok or not) and returns how many have finished. */
    int dumpFinished(long at, boolean ok) {
        lastDumpEnd.accumulateAndGet(at, Math::max);
        if (!ok) {
            dumpsFailed.incrementAndGet();
        }
        return dumped.incrementAndGet();
    }

    int dumpsFailed() {
        return dumpsFailed.get();
    }

    void retention(Map<String, Object> result) {
        this.retention = result;
        publish();
    }

    boolean succeeded() {
        return errors.isEmpty() && !run.stopped();
    }

    Map<String, String> errors() {
        synchronized (errors) {
            return new LinkedHashMap<>(errors);
        }
    }

    /** The artifacts that were verified and kept, in a stable order: snapshots, globals, databases, manifest. */
    List<Artifact> keptArtifacts() {
        List<Artifact> all = new ArrayList<>();
        synchronized (singles) {
            singles.values().stream().filter(a -> a.kind() != BackupLayout.Kind.MANIFEST).forEach(all::add);
        }
        synchronized (databases) {
            databases.values().stream().filter(a -> a != null).forEach(all::add);
        }
        return all.stream().filter(Artifact::kept).toList();
    }

    /** Puts the current state into the run's (partial) result. */
    void publish() {
        result().forEach(run::putResult);
    }

    Map<String, Object> result() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("timestamp", timestamp);
        single(r, "nomad_snapshot", BackupLayout.Kind.NOMAD);
        single(r, "consul_snapshot", BackupLayout.Kind.CONSUL);
        single(r, "postgres_globals", BackupLayout.Kind.GLOBALS);
        List<Map<String, Object>> dbs = new ArrayList<>();
        synchronized (databases) {
            databases.forEach((name, a) -> dbs.add(databaseEntry(name, a, databaseErrors.get(name))));
        }
        r.put("postgres_databases", dbs);
        if (lastDumpEnd.get() > 0) {
            r.put("postgres_dump_seconds", (lastDumpEnd.get() - firstDumpStart.get()) / 1000.0);
        }
        single(r, "manifest", BackupLayout.Kind.MANIFEST);
        synchronized (warnings) {
            r.put("warnings", new ArrayList<>(warnings));
        }
        synchronized (evicted) {
            r.put("s3_evicted", new ArrayList<>(evicted));
        }
        r.put("errors", errors());
        if (retention != null) {
            r.put("retention", retention);
        }
        return r;
    }

    private void single(Map<String, Object> r, String name, BackupLayout.Kind kind) {
        Artifact a = singles.get(kind);
        r.put(name, a != null && a.kept() ? a.target().toString() : null);
        r.put(name + "_s3_key", a != null && a.uploaded() ? a.s3Key() : null);
    }

    private static Map<String, Object> databaseEntry(String name, Artifact a, String error) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("database", name);
        m.put("local_path", a != null && a.kept() ? a.target().toString() : null);
        m.put("s3_key", a != null && a.uploaded() ? a.s3Key() : null);
        m.put("bytes", a != null && a.bytes() >= 0 ? a.bytes() : null);
        m.put("sha256", a == null ? null : a.sha256());
        m.put("verified", a != null && a.verified());
        m.put("table_counts", a == null ? null : a.tableCounts());
        m.put("error", error);
        return m;
    }
}
