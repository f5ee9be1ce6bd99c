package io.nomadcamel.jobs.scheduler;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.nomadcamel.jobs.Settings;

/**
 * The readiness checks job types make of their settings, collected as problems that name the environment variable
 * ({@code PG_HOST is not set}). They look at presence, files and programs only: no value is ever shown, so a
 * secret cannot leak through a problem text, and no network call is made.
 */
public final class Prerequisites {

    private final Settings settings;
    private final List<String> problems = new ArrayList<>();

    public Prerequisites(Settings settings) {
        this.settings = settings;
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** The setting must have a value. */
    public Prerequisites set(String key) {
        if (settings.optional(key).isEmpty()) {
            problems.add(Settings.envName(key) + " is not set");
        }
        return this;
    }

    /** The setting names a file this process can read. */
    public Prerequisites readableFile(String key) {
        settings.optional(key).ifPresentOrElse(value -> {
            Path path = path(value);
            if (path == null || !Files.isRegularFile(path) || !Files.isReadable(path)) {
                problems.add(Settings.envName(key) + " does not name a readable file");
            }
        }, () -> problems.add(Settings.envName(key) + " is not set"));
        return this;
    }

    /** The setting (or its default) is a directory this process can write, or one it can create. */
    public Prerequisites writableDir(String key, String defaultValue) {
        Path dir = path(settings.string(key, defaultValue));
        Path existing = dir == null ? null : dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            problems.add(Settings.envName(key) + " is not a writable directory");
        }
        return this;
    }

    /** The program the setting names (or its default) can be run: an executable file, or a name on the PATH. */
    public Prerequisites program(String key, String defaultValue) {
        String program = settings.string(key, defaultValue);
        if (!executable(program)) {
            problems.add(Settings.envName(key) + ": program '" + Path.of(program).getFileName()
                    + "' is not found or not executable");
        }
        return this;
    }

    /** A program in the directory {@code dirKey} names, else on the PATH (PG_BIN_DIR's pg_dump). */
    public Prerequisites programIn(String dirKey, String name) {
        String dir = settings.string(dirKey, null);
        if (!executable(dir == null ? name : Path.of(dir, name).toString())) {
            problems.add(Settings.envName(dirKey) + ": program '" + name + "' is not found "
                    + (dir == null ? "on the PATH" : "there") + " or not executable");
        }
        return this;
    }

    /** A problem the type found by its own rule. */
    public Prerequisites problem(String text) {
        problems.add(text);
        return this;
    }

    static boolean executable(String program) {
        if (program == null || program.isBlank()) {
            return false;
        }
        if (program.contains("/")) {
            Path p = path(program);
            return p != null && Files.isRegularFile(p) && Files.isExecutable(p);
        }
        String pathVariable = System.getenv("PATH");
        if (pathVariable == null) {
            return false;
        }
        for (String dir : pathVariable.split(File.pathSeparator)) {
            Path p = path(dir.isEmpty() ? program : dir + "/" + program);
            if (p != null && Files.isRegularFile(p) && Files.isExecutable(p)) {
                return true;
            }
        }
        return false;
    }

    private static Path path(String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
