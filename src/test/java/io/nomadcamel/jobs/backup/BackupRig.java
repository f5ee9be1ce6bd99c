package io.nomadcamel.jobs.backup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.process.ExecConfiguration;
import io.nomadcamel.jobs.scheduler.JobDefinition;
import io.nomadcamel.jobs.scheduler.Mode;
import io.nomadcamel.jobs.scheduler.RunContext;
import io.nomadcamel.jobs.testsupport.PostgresServer;
import io.nomadcamel.jobs.testsupport.S3ProxyServer;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.PluginHelper;

/**
 * The backup and backup-retention routes of routes/ in a Camel context of their own, with the beans of
 * {@link BackupConfiguration}, settings pointing at a real PostgreSQL, a real S3 (S3Proxy), the fake nomad/consul
 * CLIs and pg wrappers. {@link #run} sends an input to a job route as the scheduler does and reports the outcome
 * as the scheduler would record it.
 */
final class BackupRig implements AutoCloseable {

    static final String NOMAD_TOKEN = "nomad-token-5ee1d0";
    static final String CONSUL_TOKEN = "consul-token-77a2c9";
    static final String PG_PASSWORD = "pg-password-31b7f4";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong RUN_IDS = new AtomicLong(100);

    /** How a run ended, as the scheduler stores it: state, result (partial when not SUCCEEDED), error, progress. */
    record Outcome(String state, JsonNode result, String error, List<String> progress) {
    }

    final PostgresServer pg;
    final S3ProxyServer s3;
    final String bucket;
    final FakeClis clis = FakeClis.install();
    final PgWrappers wrappers;
    final Path backupDir = TempDirs.create("backups");
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private Path routes = Path.of("routes");
    private CamelContext camel;
    private ProducerTemplate producer;
    private volatile RunContext current;

    BackupRig(PostgresServer pg, S3ProxyServer s3, String bucket) {
        this.pg = pg;
        this.s3 = s3;
        this.bucket = bucket;
        this.wrappers = PgWrappers.around(pg.binDir(), PG_PASSWORD);
        settings.put("backup.dir", backupDir.toString());
        settings.put("nomad.bin", clis.nomad().toString());
        settings.put("nomad.addr", "http://127.0.0.1:4646");
        settings.put("nomad.token", NOMAD_TOKEN);
        settings.put("consul.bin", clis.consul().toString());
        settings.put("consul.http-addr", "127.0.0.1:8500");
        settings.put("consul.http-token", CONSUL_TOKEN);
        settings.put("pg.bin-dir", wrappers.dir().toString());
        settings.put("pg.host", "127.0.0.1");
        settings.put("pg.port", String.valueOf(pg.port()));
        settings.put("pg.user", pg.user());
        settings.put("pgpassword", PG_PASSWORD);
        settings.put("s3.endpoint", s3.endpoint().toString());
        settings.put("s3.bucket", bucket);
        settings.put("s3.access-key", s3.accessKey());
        settings.put("s3.secret-key", s3.secretKey());
        settings.put("s3.retry-delay", "20ms");
        settings.put("backup.retry-delay", "20ms");
        settings.put("backup.postgres.lock-wait-timeout", "2s");
        clis.set("nomad", "token", NOMAD_TOKEN).set("consul", "token", CONSUL_TOKEN);
    }

    /** Changes a setting; takes effect on the next {@link #start()}. Null removes it. */
    BackupRig setting(String key, String value) {
        if (value == null) {
            settings.remove(key);
        } else {
            settings.put(key, value);
        }
        return this;
    }

    /** Loads the routes from this folder on the next {@link #start()} (an operator's edited copy). */
    BackupRig routesFrom(Path folder) {
        this.routes = folder;
        return this;
    }

    /** (Re)starts the Camel context with the current settings. */
    BackupRig start() {
        stopCamel();
        try {
            DefaultCamelContext context = new DefaultCamelContext();
            Properties props = new Properties();
            props.putAll(settings);
            context.getPropertiesComponent().setOverrideProperties(props);
            context.getRegistry().bind("settings", new Settings(context));
            context.getRegistry().bind("meters", meters);
            new ExecConfiguration().configure(context);
            new BackupConfiguration().configure(context);
            new io.nomadcamel.jobs.postgres.PostgresConfiguration().configure(context);
            var loader = PluginHelper.getRoutesLoader(context);
            for (String route : List.of("backup", "backup-retention", "restore-drill")) {
                Path file = routes.resolve(route + ".camel.yaml");
                if (route.equals("backup") || java.nio.file.Files.exists(file)) { // an edited copy may hold backup only
                    loader.loadRoutes(PluginHelper.getResourceLoader(context).resolveResource("file:" + file));
                }
            }
            context.start();
            camel = context;
            producer = context.createProducerTemplate();
            return this;
        } catch (Exception e) {
            throw new IllegalStateException("the backup routes did not start: " + e, e);
        }
    }

    Outcome backup(Map<String, Object> input) {
        return run("backup", input);
    }

    Outcome drill(Map<String, Object> input) {
        return run("restore-drill", input);
    }

    Outcome retention(Map<String, Object> input) {
        return run("backup-retention", input);
    }

    /** The run in progress, to stop it. */
    RunContext current() {
        return current;
    }

    Outcome run(String type, Map<String, Object> input) {
        List<String> progress = Collections.synchronizedList(new ArrayList<>());
        JobDefinition job = new JobDefinition(type + "-test", type, Mode.ONE_SHOT, null, null, Duration.ofMinutes(10),
                null, input, true, null, Duration.ZERO, 1, false, JobDefinition.Source.API);
        RunContext run = new RunContext(RUN_IDS.incrementAndGet(), job, progress::add);
        current = run;
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(RunContext.PROPERTY, run);
        exchange.getIn().setBody(new LinkedHashMap<>(input));
        Exchange done = producer.send("direct:" + type, exchange);
        Map<String, Object> result = run.partialResult();
        String state;
        String error = null;
        if (run.stopped()) {
            state = run.stoppedAs().name();
            error = run.stopReason();
        } else if (done.getException() != null) {
            state = "FAILED";
            error = Failures.message(done.getException());
        } else {
            state = "SUCCEEDED";
            if (done.getMessage().getBody() instanceof Map<?, ?> body) {
                body.forEach((k, v) -> result.put(String.valueOf(k), v));
            }
        }
        return new Outcome(state, JSON.valueToTree(result), error, List.copyOf(progress));
    }

    double counter(String name, String... tags) {
        var search = meters.find(name);
        if (tags.length > 0) {
            search = search.tags(tags);
        }
        return search.counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private void stopCamel() {
        if (camel != null) {
            camel.stop();
            camel = null;
        }
    }

    @Override
    public void close() {
        stopCamel();
        clis.close();
        wrappers.close();
        TempDirs.delete(backupDir);
    }
}
