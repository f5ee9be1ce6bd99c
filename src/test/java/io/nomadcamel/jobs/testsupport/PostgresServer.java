package io.nomadcamel.jobs.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real PostgreSQL 15 on 127.0.0.1, a free port and a temp dir. initdb refuses to run as root, so as root the
 * server runs as the {@code postgres} user. {@link #shared()} gives one server for the whole test JVM.
 */
public final class PostgresServer extends ServerFixture {

    private static PostgresServer shared;

    private Path dir;
    private Path binDir;
    private int port;
    private ChildProcess process;

    /** One server for every test class that does not need its own; stopped when the test JVM exits. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            PostgresServer server = new PostgresServer();
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "postgres-stop"));
            shared = server;
        }
        return shared;
    }

    @Override
    protected void doStart() throws Exception {
        binDir = Programs.require("initdb", "postgresql").toRealPath().getParent();
        Programs.require("runuser", "util-linux");
        dir = TempDirs.create("postgres");
        Path data = dir.resolve("data");
        if (Programs.isRoot()) {
            run(List.of("chown", "postgres:postgres", dir.toString()));
        }
        run(asServerUser(List.of(binDir.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust",
                "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")));
        port = Ports.free();
        process = ChildProcess.start("postgres", asServerUser(List.of(binDir.resolve("postgres").toString(),
                "-D", data.toString(), "-p", String.valueOf(port), "-k", dir.toString(),
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off", "-c", "max_connections=200")), Map.of(), dir,
                Files.createTempFile("ncj-postgres-", ".log"));
        process.awaitPort(port, Duration.ofSeconds(30));
        awaitAcceptingQueries();
    }

    @Override
    protected void doStop() throws Exception {
        if (process != null && process.alive()) {
            // fast shutdown: disconnect clients instead of waiting for them, as a smart shutdown would
            run(asServerUser(List.of(binDir.resolve("pg_ctl").toString(), "stop", "-D",
                    dir.resolve("data").toString(), "-m", "fast", "-w", "-t", "30")));
        }
        if (process != null) {
            process.close();
            Files.deleteIfExists(process.log());
        }
        TempDirs.delete(dir);
    }

    public int port() {
        return port;
    }

    public String user() {
        return "postgres";
    }

    public Path binDir() {
        return binDir;
    }

    public ChildProcess process() {
        return process;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user(), "");
    }

    /** Creates a fresh database (dropping one of that name) and returns its JDBC URL. */
    public String createDatabase(String name) {
        String quoted = "\"" + name.replace("\"", "\"\"") + "\"";
        execute("postgres", "DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)", "CREATE DATABASE " + quoted);
        return jdbcUrl(name);
    }

    public void execute(String database, String... statements) {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on " + database + ": " + e.getMessage(), e);
        }
    }

    private void awaitAcceptingQueries() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            try (Connection c = connect("postgres")) {
                return;
            } catch (SQLException e) {
                last = e;
                Ports.sleep(100);
            }
        }
        throw new IllegalStateException("PostgreSQL did not accept queries: " + last + "\n" + process.output());
    }

    private static List<String> asServerUser(List<String> command) {
        if (!Programs.isRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
        }
    }
}
