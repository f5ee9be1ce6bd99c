package io.nomadcamel.jobs.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives the fake Trivy CLI ({@code src/test/resources/fake-bin/trivy}): per image, a real report from
 * {@code fixtures/trivy}, a real error text with its exit code, or refusals before the answer; and reads back every
 * call it got (arguments, TRIVY_TOKEN, start and end), so tests see the command line and the concurrency.
 * Give the application {@link #env()}.
 */
public final class FakeTrivy implements AutoCloseable {

    /** One invocation; {@code endNanos} is null while it runs or when it was killed. */
    public record Call(long pid, String image, long startNanos, Long endNanos, String args, String token) {
    }

    private static final Path SCRIPT = Path.of("src/test/resources/fake-bin/trivy").toAbsolutePath();

    private final Path dir = TempDirs.create("fake-trivy");

    public FakeTrivy() {
        try {
            // surefire's copy of test resources loses the executable bit; the source file keeps it in git
            Files.setPosixFilePermissions(SCRIPT, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reset();
    }

    public static String fileName(String image) {
        return image.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** TRIVY_BIN and TRIVY_FAKE_DIR for the application's environment. */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TRIVY_BIN", SCRIPT.toString());
        env.put("TRIVY_FAKE_DIR", dir.toString());
        return env;
    }

    public Path bin() {
        return SCRIPT;
    }

    /** Forgets every answer and call; scans take 0.2 s again. */
    public void reset() {
        TempDirs.delete(dir);
        try {
            Files.createDirectories(dir.resolve("images"));
            Files.createDirectories(dir.resolve("refuse"));
            Files.writeString(dir.resolve("calls.log"), "");
            Files.writeString(dir.resolve("refuse.stderr"), fixture("server-connection-refused.stderr"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        scanTakes(Duration.ofMillis(200));
    }

    public FakeTrivy scanTakes(Duration d) {
        write("sleep", String.format(java.util.Locale.ROOT, "%.3f", d.toMillis() / 1000.0));
        return this;
    }

    /** The image's report is the fixture (e.g. {@code alpine-39.json.golden}). */
    public FakeTrivy answer(String image, String reportFixture) {
        return answerJson(image, fixture(reportFixture));
    }

    /** Whatever text the image's "report" is (exit 0). */
    public FakeTrivy answerJson(String image, String json) {
        clear(image);
        write("images/" + fileName(image) + ".json", json);
        return this;
    }

    /** The image fails with the fixture's stderr (e.g. {@code manifest-unknown.stderr}) and this exit code. */
    public FakeTrivy fail(String image, String stderrFixture, int exitCode) {
        clear(image);
        write("images/" + fileName(image) + ".stderr", fixture(stderrFixture));
        write("images/" + fileName(image) + ".exit", String.valueOf(exitCode));
        return this;
    }

    /** The next {@code times} scans of the image fail as if the Trivy server refused the connection. */
    public FakeTrivy refuse(String image, int times) {
        write("refuse/" + fileName(image), String.valueOf(times));
        return this;
    }

    public List<Call> calls() {
        Map<Long, String[]> byPid = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve("calls.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : lines) {
            String[] f = line.split(" ", 3);
            if (f.length < 3) {
                continue;
            }
            String[] call = byPid.computeIfAbsent(Long.parseLong(f[1]), pid -> new String[5]);
            switch (f[0]) {
                case "start" -> {
                    String[] t = f[2].split(" ", 2);
                    call[0] = t[0];
                    call[1] = t[1];
                }
                case "end" -> call[2] = f[2].split(" ", 2)[0];
                case "args" -> call[3] = f[2];
                case "token" -> call[4] = f[2];
                default -> { }
            }
        }
        List<Call> calls = new ArrayList<>();
        byPid.forEach((pid, c) -> calls.add(new Call(pid, c[1], Long.parseLong(c[0]),
                c[2] == null ? null : Long.parseLong(c[2]), c[3], c[4] == null ? "" : c[4])));
        return calls;
    }

    public List<Call> calls(String image) {
        return calls().stream().filter(c -> c.image().equals(image)).toList();
    }

    /** The most calls that were running at the same instant. */
    public int maxConcurrent() {
        return Overlap.mostAtOnce(calls().stream().map(c -> new long[] {c.startNanos(),
                c.endNanos() == null ? Long.MAX_VALUE : c.endNanos()}).toList());
    }

    public static String fixture(String name) {
        try (InputStream in = FakeTrivy.class.getResourceAsStream("/fixtures/trivy/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture fixtures/trivy/" + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void clear(String image) {
        for (String suffix : List.of(".json", ".stderr", ".exit")) {
            try {
                Files.deleteIfExists(dir.resolve("images/" + fileName(image) + suffix));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void write(String relative, String content) {
        try {
            Files.writeString(dir.resolve(relative), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        TempDirs.delete(dir);
    }
}
