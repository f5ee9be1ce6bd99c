package io.nomadcamel.jobs.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The application as operators run it: a separate JVM started from the project folder (its application.properties
 * and routes/), with its own ports and data dir. Tests use it for what only a process shows: start-up failures,
 * log lines, several instances, SIGKILL.
 */
public final class AppProcess implements AutoCloseable {

    /** 10 s to connect: on loopback a refusal is immediate, and 2 s was short on a 2-core machine running the build. */
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final ChildProcess process;
    private final int serverPort;
    private final int managementPort;
    private final Path dataDir;

    private AppProcess(ChildProcess process, int serverPort, int managementPort, Path dataDir) {
        this.process = process;
        this.serverPort = serverPort;
        this.managementPort = managementPort;
        this.dataDir = dataDir;
    }

    /** The project's job routes plus the small test job types of src/test/resources/test-routes. */
    public static final String ROUTES_WITH_TEST_JOBS =
            "file:routes/*.camel.yaml,file:src/test/resources/test-routes/*.camel.yaml";

    /** Starts an instance with fresh ports and data dir; {@code env} adds or overrides variables. */
    public static AppProcess start(Map<String, String> env) {
        return start(env, null);
    }

    /**
     * Starts an instance whose operator config file ({@code CONFIG_FILE}) holds {@code config}, e.g. job
     * definitions; the test job types are loaded too.
     */
    public static AppProcess start(Map<String, String> env, String config) {
        return start(env, config, Path.of("").toAbsolutePath(), ROUTES_WITH_TEST_JOBS);
    }

    /**
     * Starts an instance from another working directory, as {@code java -jar <path>/nomad-camel-jobs.jar} would be,
     * finding application.properties and routes/ by itself (no ROUTES_INCLUDE, no test job types).
     */
    public static AppProcess startIn(Path workDir, Map<String, String> env) {
        return start(env, null, workDir, null);
    }

    private static AppProcess start(Map<String, String> env, String config, Path workDir, String routesInclude) {
        int serverPort = Ports.free();
        int managementPort = Ports.free();
        Path dataDir = TempDirs.create("app-data");
        Map<String, String> all = new HashMap<>();
        all.put("SERVER_PORT", String.valueOf(serverPort));
        all.put("MANAGEMENT_PORT", String.valueOf(managementPort));
        all.put("DATA_DIR", dataDir.toString());
        if (routesInclude != null) {
            all.put("ROUTES_INCLUDE", routesInclude);
        }
        all.put("LOG_LEVEL", "INFO");
        if (config != null) {
            Path file = dataDir.resolve("operator.properties");
            try {
                Files.writeString(file, config);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            all.put("CONFIG_FILE", file.toString());
        }
        all.putAll(env);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss512k", "-XX:+UseSerialGC", "-cp", classpath(), "io.nomadcamel.jobs.Application"));
        try {
            Path log = Files.createTempFile("ncj-app-", ".log");
            ChildProcess child = ChildProcess.start("nomad-camel-jobs", command, all, workDir, log);
            return new AppProcess(child, serverPort, managementPort, dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String classpath() {
        Path file = Programs.testToolsDir().resolve("app-classpath.txt");
        try {
            return Path.of("target", "classes").toAbsolutePath() + ":" + Path.of("target", "test-classes")
                    .toAbsolutePath() + ":" + Files.readString(file).trim();
        } catch (IOException e) {
            throw new IllegalStateException("Missing " + file + ": run `mvn generate-test-resources` "
                    + "(the README's test command does)", e);
        }
    }

    /** Waits until /observe/health/ready answers UP; fails with the application's output if it exits first. */
    public AppProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.alive()) {
                throw new IllegalStateException("the application exited with " + process.process().exitValue()
                        + " before it was ready:\n" + output());
            }
            try {
                HttpResponse<String> r = get(managementUrl("/observe/health/ready"));
                if (r.statusCode() == 200 && r.body().contains("UP")) {
                    return this;
                }
            } catch (UncheckedIOException notYet) {
                // not listening yet
            }
            Ports.sleep(100);
        }
        throw new IllegalStateException("the application was not ready within " + timeout + ":\n" + output());
    }

    /** Waits for the process to exit by itself (a failed start-up) and returns its exit code. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.process().waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the application did not exit within " + timeout + ":\n" + output());
            }
            return process.process().exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + serverPort + path;
    }

    public String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    public static HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    public static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Calls the application's API; {@code token} null sends no Authorization header. */
    public HttpResponse<String> api(String method, String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    public Path dataDir() {
        return dataDir;
    }

    public String output() {
        return process.output();
    }

    public ChildProcess process() {
        return process;
    }

    /** SIGKILL, as a crash would: no shutdown hook runs. */
    public void kill() {
        process.kill();
    }

    /** Stops the process as an operator would (SIGTERM, graceful shutdown), keeping its data dir to inspect. */
    public void stop() {
        if (!process.terminate(60)) {
            process.close();
        }
    }

    @Override
    public void close() {
        process.close();
        TempDirs.delete(dataDir);
        try {
            // kept for reading after a failed test: target/app-logs/<pid>.log
            Path kept = Path.of("target", "app-logs");
            Files.createDirectories(kept);
            Files.copy(process.log(), kept.resolve(process.pid() + ".log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(process.log());
        } catch (IOException ignored) {
            // a leftover log in /tmp is harmless
        }
    }
}
