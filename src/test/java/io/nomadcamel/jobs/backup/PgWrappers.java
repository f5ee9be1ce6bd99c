package io.nomadcamel.jobs.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import io.nomadcamel.jobs.testsupport.Overlap;
import io.nomadcamel.jobs.testsupport.TempDirs;

/**
 * A PG_BIN_DIR of wrapper scripts around the real pg_dump, pg_dumpall and pg_restore: each call is logged with its
 * start and end time (so a test observes how many pg_dump ran at once), and a call fails at once if the password
 * is on its command line or missing from its environment. {@link #dumpDelay} makes every pg_dump last longer, so
 * that dumps really overlap.
 */
final class PgWrappers implements AutoCloseable {

    /** One call: program, start and end (epoch nanos), exit code. */
    record Span(String program, long start, long end, int exit) {
    }

    private final Path dir;

    private PgWrappers(Path dir) {
        this.dir = dir;
    }

    static PgWrappers around(Path realBinDir, String password) {
        Path dir = TempDirs.create("pg-bin");
        PgWrappers wrappers = new PgWrappers(dir);
        for (String program : List.of("pg_dump", "pg_dumpall", "pg_restore")) {
            String script = String.join("\n",
                    "#!/bin/bash",
                    "# test wrapper: logs the call's span, checks the password only travels in the environment",
                    "log='" + dir.resolve("spans.log") + "'",
                    "for arg in \"$@\"; do",
                    "  case \"$arg\" in *'" + password + "'*) echo 'password on the command line' >&2; exit 97;; esac",
                    "done",
                    "if [ \"$PGPASSWORD\" != '" + password + "' ]; then echo 'PGPASSWORD not set' >&2; exit 98; fi",
                    "start=$(date +%s%N)",
                    "[ -f '" + dir.resolve(program + "-delay") + "' ] && sleep $(cat '"
                            + dir.resolve(program + "-delay") + "')",
                    "'" + realBinDir.resolve(program) + "' \"$@\"",
                    "rc=$?",
                    "echo \"" + program + " $start $(date +%s%N) $rc\" >> \"$log\"",
                    "exit $rc",
                    "");
            try {
                Path file = dir.resolve(program);
                Files.writeString(file, script);
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return wrappers;
    }

    Path dir() {
        return dir;
    }

    /** Every pg_dump sleeps this long before it starts dumping (0 for none). */
    void dumpDelay(double seconds) {
        delay("pg_dump", seconds);
    }

    /** Every call of this program sleeps this long before the real one starts (0 for none). */
    void delay(String program, double seconds) {
        try {
            if (seconds <= 0) {
                Files.deleteIfExists(dir.resolve(program + "-delay"));
            } else {
                Files.writeString(dir.resolve(program + "-delay"), String.valueOf(seconds));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Span> spans() {
        Path log = dir.resolve("spans.log");
        List<Span> spans = new ArrayList<>();
        try {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    String[] p = line.split(" ");
                    spans.add(new Span(p[0], Long.parseLong(p[1]), Long.parseLong(p[2]), Integer.parseInt(p[3])));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return spans;
    }

    void clear() {
        try {
            Files.deleteIfExists(dir.resolve("spans.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The most calls of {@code program} that were running at one moment. */
    int maxConcurrent(String program) {
        return Overlap.mostAtOnce(spans().stream().filter(s -> s.program().equals(program))
                .map(s -> new long[] {s.start(), s.end()}).toList());
    }

    @Override
    public void close() {
        TempDirs.delete(dir);
    }
}
