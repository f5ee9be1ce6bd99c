package io.nomadcamel.jobs.testjobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.nomadcamel.jobs.scheduler.RunContext;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;

/**
 * Small job types for scheduler tests (routes in src/test/resources/test-routes): they sleep, fail, run a child
 * process, and record each start in a file so tests can see what ran where.
 */
public class TestJobs {

    /**
     * Sleeps {@code sleep_ms} (default 100) in slices, ending early when the run is stopped; appends
     * "run-id start-ms end-ms" to {@code span_file} if given.
     */
    public Map<String, Object> sleep(@Body Map<String, Object> input, @ExchangeProperty(RunContext.PROPERTY) RunContext run)
            throws Exception {
        record(input, run);
        long ms = ((Number) input.getOrDefault("sleep_ms", 100)).longValue();
        long end = System.currentTimeMillis() + ms;
        run.progress("sleeping " + ms + " ms");
        while (System.currentTimeMillis() < end) {
            run.checkNotStopped();
            Thread.sleep(Math.min(20, Math.max(1, end - System.currentTimeMillis())));
        }
        Object spans = input.get("span_file");
        if (spans != null) {
            // the work's own start and end, measured inside the run: what "never two at once" is about
            Files.writeString(Path.of(spans.toString()), run.runId() + " " + (end - ms) + " "
                    + System.currentTimeMillis() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("slept_ms", ms);
        result.put("instance", System.getenv("INSTANCE_NAME"));
        return result;
    }

    /** Fails with {@code message}, after putting a partial result. */
    public void fail(@Body Map<String, Object> input, @ExchangeProperty(RunContext.PROPERTY) RunContext run)
            throws IOException {
        record(input, run);
        run.putResult("done_before_failure", 1);
        throw new IllegalStateException(String.valueOf(input.getOrDefault("message", "test failure")));
    }

    /**
     * Runs {@code sleep <seconds>} as a child process and waits for it, writing its pid to {@code pid_file} if given:
     * the timeout test must see it killed.
     */
    public Map<String, Object> process(@Body Map<String, Object> input,
            @ExchangeProperty(RunContext.PROPERTY) RunContext run) throws Exception {
        record(input, run);
        Process p = run.track(new ProcessBuilder("sleep", String.valueOf(input.getOrDefault("seconds", 600)))
                .start());
        if (input.get("pid_file") != null) {
            Files.writeString(Path.of(String.valueOf(input.get("pid_file"))), String.valueOf(p.pid()));
        }
        int exit = p.waitFor();
        run.untrack(p);
        return Map.of("exit", exit);
    }

    /** The pid {@link #process} wrote to {@code pidFile}, waiting up to 5 s for it. */
    public static long awaitPid(Path pidFile) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (Files.size(pidFile) == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        return Long.parseLong(Files.readString(pidFile).trim());
    }

    /** Calls the Nomad API and runs a program for "trivy-server", as real jobs do: the tracing test's job. */
    public Map<String, Object> callOthers(org.apache.camel.Exchange exchange,
            @ExchangeProperty(RunContext.PROPERTY) RunContext run) {
        io.nomadcamel.jobs.Settings settings = exchange.getContext().getRegistry()
                .lookupByNameAndType("settings", io.nomadcamel.jobs.Settings.class);
        int nodes = io.nomadcamel.jobs.nomad.NomadClient.from(settings).get("/v1/nodes").size();
        io.nomadcamel.jobs.process.ProcessRunner.command("true").peer("trivy-server").in(run).run().check();
        return Map.of("nodes", nodes);
    }

    /** Appends "run-id job instance start-time" to the file named by {@code record_file}, if given. */
    private static void record(Map<String, Object> input, RunContext run) throws IOException {
        Object file = input.get("record_file");
        if (file != null) {
            String line = run.runId() + " " + run.job().id() + " " + System.getenv("INSTANCE_NAME") + " "
                    + Instant.now().toEpochMilli() + "\n";
            Files.writeString(Path.of(file.toString()), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }
}
