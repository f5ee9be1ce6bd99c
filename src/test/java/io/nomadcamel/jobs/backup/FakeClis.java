package io.nomadcamel.jobs.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.Programs;
import io.nomadcamel.jobs.testsupport.TempDirs;

/**
 * The fake {@code nomad} and {@code consul} CLIs of src/test/resources/fake-bin, installed executable in a temp
 * folder with their control file (fake-cli.json) and their call log (calls.log). They write real snapshot archives
 * and the real CLIs' error texts, and refuse a token on the command line.
 */
final class FakeClis implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final Map<String, Map<String, Object>> config = new LinkedHashMap<>();

    private FakeClis(Path dir) {
        this.dir = dir;
    }

    static FakeClis install() {
        Programs.require("python3", "python3");
        Path dir = TempDirs.create("fake-bin");
        for (String name : List.of("nomad", "consul", "fakesnapshot.py")) {
            try (InputStream in = FakeClis.class.getResourceAsStream("/fake-bin/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("missing test resource fake-bin/" + name);
                }
                Path target = dir.resolve(name);
                Files.copy(in, target);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        FakeClis clis = new FakeClis(dir);
        clis.write();
        return clis;
    }

    Path nomad() {
        return dir.resolve("nomad");
    }

    Path consul() {
        return dir.resolve("consul");
    }

    /** Sets one control value of a fake, e.g. {@code set("nomad", "down", true)}. */
    FakeClis set(String program, String key, Object value) {
        Map<String, Object> conf = config.computeIfAbsent(program, p -> new LinkedHashMap<>());
        if (value == null) {
            conf.remove(key);
        } else {
            conf.put(key, value);
        }
        write();
        return this;
    }

    void clearCalls() {
        try {
            Files.deleteIfExists(dir.resolve("calls.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every call so far: program, argv, token_in_env, token_matches, addr. */
    List<JsonNode> calls() {
        Path log = dir.resolve("calls.log");
        List<JsonNode> calls = new ArrayList<>();
        try {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    calls.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return calls;
    }

    private void write() {
        try {
            Files.writeString(dir.resolve("fake-cli.json"), JSON.writeValueAsString(config));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        TempDirs.delete(dir);
    }
}
