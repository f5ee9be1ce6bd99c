package io.nomadcamel.jobs.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.scheduler.JobDefinition;
import io.nomadcamel.jobs.scheduler.Mode;
import io.nomadcamel.jobs.scheduler.RunContext;
import io.nomadcamel.jobs.scheduler.RunContextAccess;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.exec.ExecBinding;
import org.apache.camel.component.exec.ExecResult;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guarded {@code exec} component with real processes: what a route's {@code exec:} step does to its child (tied
 * to the run, list arguments, secrets only in its environment, stdout to a file, errors that name the program), and
 * what it refuses.
 */
class GuardedExecTest {

    private static final String SECRET = "pg-secret-6d1f0a";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir = TempDirs.create("guarded-exec");
    private DefaultCamelContext camel;
    private ProducerTemplate producer;

    @BeforeEach
    void start() throws Exception {
        // a PG_BIN_DIR with a "psql" that reports its arguments, its environment and its own command line
        Path binDir = Files.createDirectories(dir.resolve("bin"));
        Path psql = binDir.resolve("psql");
        Files.writeString(psql, "#!/bin/sh\n"
                + "printf '%s\\n' \"$@\" > '" + dir.resolve("argv") + "'\n"
                + "tr '\\0' ' ' < /proc/$$/cmdline > '" + dir.resolve("cmdline") + "'\n"
                + "printf '%s' \"$PGPASSWORD\" > '" + dir.resolve("password") + "'\n"
                + "printf '%s' \"$PGAPPNAME\" > '" + dir.resolve("appname") + "'\n"
                + "[ \"$1\" = --fail ] && { echo 'psql: could not connect' >&2; exit 2; }\n"
                + "exit 0\n");
        Files.setPosixFilePermissions(psql, PosixFilePermissions.fromString("rwxr-xr-x"));
        camel = new DefaultCamelContext();
        Properties props = new Properties();
        props.put("pg.bin-dir", binDir.toString());
        props.put("pgpassword", SECRET);
        camel.getPropertiesComponent().setOverrideProperties(props);
        camel.getRegistry().bind("settings", new Settings(camel));
        new ExecConfiguration().configure(camel);
        camel.start();
        producer = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        camel.stop();
        TempDirs.delete(dir);
    }

    @Test
    void everyExecUriResolvesToTheGuardedComponentAndNoUriCanSwapItsExecutorOrBinding() {
        assertInstanceOf(GuardedExecComponent.class, camel.getComponent("exec"));
        camel.getRegistry().bind("plainExecutor", new org.apache.camel.component.exec.impl
                .DefaultExecCommandExecutor());
        Exception e = assertThrows(Exception.class, () -> camel.getEndpoint("exec:sh?commandExecutor=#plainExecutor"));
        assertTrue(rootMessage(e).contains("the exec command executor cannot be replaced"), rootMessage(e));
        camel.getRegistry().bind("plainBinding", new org.apache.camel.component.exec.impl.DefaultExecBinding());
        e = assertThrows(Exception.class, () -> camel.getEndpoint("exec:sh?binding=#plainBinding"));
        assertTrue(rootMessage(e).contains("the exec binding cannot be replaced"), rootMessage(e));
    }

    @Test
    void stoppingTheRunKillsTheChildAndTheGrandchildItForked() throws Exception {
        RunContext run = run();
        Path pids = dir.resolve("pids");
        CompletableFuture<Exchange> done = CompletableFuture.supplyAsync(() -> exec("exec:sh", run,
                List.of("-c", "sleep 60 & echo $$ $! > '" + pids + "'; wait")));
        long[] tree = awaitPids(pids);
        assertTrue(alive(tree[0]) && alive(tree[1]), "child and grandchild run");

        RunContextAccess.stop(run, "stopped via API");
        Exchange exchange = done.get(20, TimeUnit.SECONDS);

        assertInstanceOf(RunContext.RunStoppedException.class, exchange.getException());
        assertEquals("run stopped: stopped via API", exchange.getException().getMessage());
        awaitDead(tree[0]);
        awaitDead(tree[1]);
    }

    @Test
    void theStepsTimeoutKillsTheWholeTree() throws Exception {
        Path pids = dir.resolve("pids");
        Exchange exchange = exec("exec:sh", run(), List.of("-c", "sleep 60 & echo $$ $! > '" + pids + "'; wait"),
                Map.of(ExecBinding.EXEC_COMMAND_TIMEOUT, 2000L));

        ProcessFailedException e = assertInstanceOf(ProcessFailedException.class, exchange.getException());
        assertTrue(e.getMessage().startsWith("sh failed: timed out after PT2S"), e.getMessage());
        long[] tree = awaitPids(pids);
        awaitDead(tree[0]);
        awaitDead(tree[1]);
    }

    @Test
    void theProfilesSecretReachesTheChildsEnvironmentOnlyNeverItsCommandLineOrALog() throws Exception {
        StringWriter logs = new StringWriter();
        try (LogCapture capture = LogCapture.of(logs)) {
            RunContext run = run();
            Exchange ok = exec("exec:psql?profile=pg", run, List.of("--host=db", "--list"));
            assertNull(ok.getException());
            assertEquals(SECRET, read("password"), "PGPASSWORD in the child's environment");
            assertEquals("nomad-camel-jobs test run " + run.runId(), read("appname"));
            assertEquals("--host=db\n--list\n", read("argv"));
            assertFalse(read("cmdline").contains(SECRET), read("cmdline"));
            assertTrue(read("cmdline").contains("--list"), "the command line was read: " + read("cmdline"));

            Exchange failed = exec("exec:psql?profile=pg", run, List.of("--fail"));
            ProcessFailedException e = assertInstanceOf(ProcessFailedException.class, failed.getException());
            assertTrue(e.getMessage().endsWith("psql exited with 2: psql: could not connect"), e.getMessage());
            assertFalse(e.getMessage().contains(SECRET));
        }
        assertTrue(logs.toString().contains("Executing"), "exec steps were logged: " + logs);
        assertFalse(logs.toString().contains(SECRET), "no secret in any log line: " + logs.toString().lines()
                .filter(l -> l.contains(SECRET)).toList());
    }

    @Test
    void withoutAProfileAChildGetsNoSecretAndAProfileRunsOnlyItsOwnPrograms() throws Exception {
        Exchange plain = exec("exec:sh", run(), List.of("-c", "printf '[%s]' \"$PGPASSWORD\""));
        assertEquals("[]", stdout(plain));

        Exchange refused = exec("exec:sh?profile=pg", run(), List.of("-c", "printf '%s' \"$PGPASSWORD\" > '"
                + dir.resolve("leak") + "'"));
        assertTrue(refused.getException().getMessage().startsWith("exec:sh: the pg profile runs only pg_dump,"
                + " pg_dumpall, pg_restore, psql (located by PG_BIN_DIR), not 'sh'"),
                refused.getException().getMessage());
        assertFalse(Files.exists(dir.resolve("leak")), "the program never ran");
    }

    @Test
    void argumentsArriveLiterallyWhateverTheyContain() throws Exception {
        Path pwned = dir.resolve("pwned");
        List<String> hostile = List.of("two words", "'single' \"double\"", "$(touch " + pwned + ")",
                "`touch " + pwned + "`", "a; touch " + pwned, "line one\nline two", "$HOME", "*", "", "-x",
                "back\\slash", "tab\there");
        List<String> args = new ArrayList<>(List.of("-c", "import json, sys; print(json.dumps(sys.argv[1:]))"));
        args.addAll(hostile);

        Exchange exchange = exec("exec:python3", run(), args);

        assertNull(exchange.getException());
        assertEquals(hostile, List.of(JSON.readValue(stdout(exchange), String[].class)));
        assertFalse(Files.exists(pwned), "nothing was interpreted by a shell");
    }

    @Test
    void argumentsAreAListNeverAStringToSplit() throws Exception {
        Path pwned = dir.resolve("pwned");
        Exchange asString = exec("exec:touch", run(), null, Map.of(ExecBinding.EXEC_COMMAND_ARGS,
                pwned + " " + dir.resolve("other")));
        assertTrue(asString.getException().getMessage().startsWith("exec:touch: header CamelExecCommandArgs must be"
                + " a list of strings"), asString.getException().getMessage());

        Exchange uriArgs = exec("exec:touch?args=" + pwned, run(), null);
        assertTrue(uriArgs.getException().getMessage().contains("the args option (a string split on spaces) is not"
                + " accepted"), uriArgs.getException().getMessage());

        Exchange swapped = exec("exec:touch", run(), List.of(pwned.toString()),
                Map.of(ExecBinding.EXEC_COMMAND_EXECUTABLE, "/bin/rm"));
        assertTrue(swapped.getException().getMessage().contains("header CamelExecCommandExecutable is not accepted"),
                swapped.getException().getMessage());
        assertFalse(Files.exists(pwned), "none of them ran");
    }

    @Test
    void stdoutStreamsToTheFileAndAFailedProgramLeavesNoPartialFile() throws Exception {
        Path out = dir.resolve("big.out");
        long size = 64L * 1024 * 1024;
        Exchange exchange = exec("exec:head", run(), List.of("-c", String.valueOf(size), "/dev/zero"),
                Map.of(ExecBinding.EXEC_COMMAND_OUT_FILE, out.toString()));

        assertNull(exchange.getException());
        assertEquals(size, Files.size(out));
        ExecResult result = exchange.getMessage().getBody(ExecResult.class);
        assertNull(result.getStdout(), "the output went to the file, not into memory");
        assertFalse(Files.exists(dir.resolve("big.out.partial")));

        Path failed = dir.resolve("failed.out");
        Exchange half = exec("exec:sh", run(), List.of("-c", "head -c 1000000 /dev/zero; echo 'disk full' >&2;"
                + " exit 3"), Map.of(ExecBinding.EXEC_COMMAND_OUT_FILE, failed.toString()));
        assertInstanceOf(ProcessFailedException.class, half.getException());
        assertFalse(Files.exists(failed), "no partial file");
        assertFalse(Files.exists(dir.resolve("failed.out.partial")));
    }

    @Test
    void aNonAllowedExitValueNamesTheProgramAndTheTailOfItsStderr() throws Exception {
        String script = "echo 'first line of the noise' >&2; i=0; while [ $i -lt 300 ]; do"
                + " echo \"noise line $i\" >&2; i=$((i+1)); done; echo 'FATAL: the last words' >&2; exit 7";
        Exchange failed = exec("exec:sh", run(), List.of("-c", script));

        ProcessFailedException e = assertInstanceOf(ProcessFailedException.class, failed.getException());
        assertEquals(7, e.exitCode());
        assertTrue(e.getMessage().startsWith("sh exited with 7: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("FATAL: the last words"), e.getMessage());
        assertFalse(e.getMessage().contains("first line of the noise"), "only the tail: " + e.getMessage().length());
        assertTrue(e.stderr().contains("first line of the noise"), "the whole (capped) stderr is kept");

        Exchange allowed = exec("exec:sh", run(), List.of("-c", "echo soft >&2; exit 7"),
                Map.of(ExecBinding.EXEC_COMMAND_EXIT_VALUES, "0,7"));
        assertNull(allowed.getException());
        assertEquals(7, allowed.getMessage().getHeader(ExecBinding.EXEC_EXIT_VALUE));
        assertEquals("soft\n", allowed.getMessage().getHeader(ExecBinding.EXEC_STDERR));
    }

    @Test
    void anUnknownProfileOrAMissingRunFailsWithAClearMessageAndRunsNothing() throws Exception {
        Path touched = dir.resolve("touched");
        Exchange unknown = exec("exec:touch?profile=vault", run(), List.of(touched.toString()));
        assertEquals("exec:touch: unknown profile 'vault' (the profiles are consul, nomad, pg, trivy)",
                unknown.getException().getMessage());

        Exchange noRun = exec("exec:touch", null, List.of(touched.toString()));
        assertEquals("exec:touch runs only inside a job run: the exchange has no run (exchange property 'run')",
                noRun.getException().getMessage());
        assertFalse(Files.exists(touched));
    }

    private Exchange exec(String uri, RunContext run, List<String> args) {
        return exec(uri, run, args, Map.of());
    }

    /** Sends to the exec endpoint as a route's step would: the run in its property, the arguments in a header. */
    private Exchange exec(String uri, RunContext run, List<String> args, Map<String, Object> headers) {
        Exchange exchange = new DefaultExchange(camel);
        if (run != null) {
            exchange.setProperty(RunContext.PROPERTY, run);
        }
        exchange.getIn().setHeaders(new java.util.HashMap<>(headers));
        if (args != null) {
            exchange.getIn().setHeader(ExecBinding.EXEC_COMMAND_ARGS, args);
        }
        return producer.send(uri, exchange);
    }

    private static RunContext run() {
        return new RunContext(System.nanoTime() % 100_000, new JobDefinition("j", "test", Mode.ONE_SHOT, null, null,
                Duration.ofMinutes(1), null, Map.of(), true, null, Duration.ZERO, 1, false,
                JobDefinition.Source.API), text -> { });
    }

    private static String stdout(Exchange exchange) {
        return exchange.getContext().getTypeConverter().convertTo(String.class, exchange,
                exchange.getMessage().getBody(ExecResult.class));
    }

    private String read(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long[] awaitPids(Path file) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(file)) {
                String[] parts = Files.readString(file).trim().split(" ");
                if (parts.length == 2) {
                    return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the child never wrote its and its child's pid");
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void awaitDead(long pid) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (alive(pid) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(alive(pid), "process " + pid + " was killed");
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /** Every DEBUG line of Camel and of the application, into a writer (and not to the console) while open. */
    private static final class LogCapture implements AutoCloseable {
        private static final List<String> LOGGERS = List.of("org.apache.camel", "io.nomadcamel");
        private final LoggerContext context = (LoggerContext) LogManager.getContext(false);

        static LogCapture of(StringWriter target) {
            return new LogCapture(target);
        }

        private LogCapture(StringWriter target) {
            Configuration config = context.getConfiguration();
            WriterAppender appender = WriterAppender.newBuilder().setName("capture").setTarget(target)
                    .setLayout(PatternLayout.newBuilder().withPattern("%m %ex%n").build()).build();
            appender.start();
            config.addAppender(appender);
            for (String name : LOGGERS) {
                LoggerConfig logger = new LoggerConfig(name, Level.DEBUG, false);
                logger.addAppender(appender, Level.DEBUG, null);
                config.addLogger(name, logger);
            }
            context.updateLoggers();
        }

        @Override
        public void close() {
            Configuration config = context.getConfiguration();
            LOGGERS.forEach(config::removeLogger);
            if (config instanceof org.apache.logging.log4j.core.config.AbstractConfiguration abstractConfig) {
                abstractConfig.removeAppender("capture");
            }
            context.updateLoggers();
        }
    }
}
