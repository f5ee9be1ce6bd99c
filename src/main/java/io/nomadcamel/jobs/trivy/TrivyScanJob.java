package io.nomadcamel.jobs.trivy;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.nomad.NomadClient;
import io.nomadcamel.jobs.process.ExecRequest;
import io.nomadcamel.jobs.scheduler.RunContext;
import org.apache.camel.Body;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperties;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of routes/trivy-scan.camel.yaml, bound as {@code trivyScan}: plan the run, discover the images, the
 * steps around each image's {@code exec:trivy} attempts ({@link ImageScan}), store one outcome, report. Settings and
 * the database are looked up at first use, so a missing
 * setting fails the run that needs it, and configuration order does not matter.
 */
public final class TrivyScanJob {

    private static final Logger LOG = LoggerFactory.getLogger(TrivyScanJob.class);

    private final CamelContext camel;
    private final int maxConcurrency;
    private final TrivyMetrics metrics;
    private final TrivyReportParser parser = new TrivyReportParser();

    public TrivyScanJob(CamelContext camel, int maxConcurrency) {
        this.camel = camel;
        this.maxConcurrency = maxConcurrency;
        this.metrics = new TrivyMetrics(camel);
    }

    /** Checks the input ({@link TrivyScanJobType}) and reads the settings; either failing fails the run, naming it. */
    public ScanPlan plan(@Body Map<String, Object> input, @ExchangeProperty(RunContext.PROPERTY) RunContext run) {
        int concurrency = (int) TrivyScanJobType.input(maxConcurrency).check(input).get("concurrency");
        TrivySettings settings = TrivySettings.from(settings());
        run.progress("discovering images");
        return new ScanPlan(settings, concurrency);
    }

    /** Docker images of the running allocations, sorted; a failure here fails the run. */
    public List<String> discoverImages(@ExchangeProperty(ScanPlan.PROPERTY) ScanPlan plan,
            @ExchangeProperty(RunContext.PROPERTY) RunContext run) {
        List<String> images = new ImageDiscovery(NomadClient.from(settings())).images();
        plan.imagesTotal(images.size());
        run.putResult("images_total", images.size());
        run.progress("scanning " + images.size() + " images, " + plan.concurrency() + " at a time");
        LOG.info("Run {}: {} images to scan", run.runId(), images.size());
        return images;
    }

    /** Waits for one of the run's {@code concurrency} slots; the image's scan is then the sub-exchange's. */
    public void startScan(@Body String image, @ExchangeProperty(ScanPlan.PROPERTY) ScanPlan plan,
            @ExchangeProperty(RunContext.PROPERTY) RunContext run,
            @ExchangeProperties Map<String, Object> properties) {
        plan.acquire(run);
        properties.put(ImageScan.PROPERTY, new ImageScan(image, plan.settings()));
    }

    /** The loop's condition: the scan has no outcome yet. */
    public boolean anotherAttempt(@ExchangeProperty(ImageScan.PROPERTY) ImageScan scan) {
        return scan.needsAttempt();
    }

    /** The next {@code trivy-exec} step's arguments, report file and kill timeout; a retry waits its backoff first. */
    public void command(@ExchangeProperty(ImageScan.PROPERTY) ImageScan scan,
            @ExchangeProperty(RunContext.PROPERTY) RunContext run, @Headers Map<String, Object> headers) {
        ExecRequest.args(scan.nextAttempt(run)).stdoutTo(scan.report()).timeout(scan.killAfter()).into(headers);
    }

    public void readReport(@ExchangeProperty(ImageScan.PROPERTY) ImageScan scan) {
        scan.reportWritten(parser);
    }

    /** Trivy failed: classified from its stderr; a transient failure is tried again, a stop ends the scan. */
    public void attemptFailed(@ExchangeProperty(ImageScan.PROPERTY) ImageScan scan,
            @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable failure) {
        scan.attemptFailed(failure);
    }

    /** Frees the slot and the report file, whatever happened. */
    public void endScan(@ExchangeProperty(ImageScan.PROPERTY) ImageScan scan,
            @ExchangeProperty(ScanPlan.PROPERTY) ScanPlan plan) {
        if (scan != null) { // null: stopped while waiting for a slot
            scan.deleteReport();
            plan.release();
        }
    }

    /** Stores the outcome in its own transaction; a database failure is reported by {@link #result}. */
    public void storeScan(@ExchangeProperty(ImageScan.PROPERTY) ImageScan scan,
            @ExchangeProperty(ScanPlan.PROPERTY) ScanPlan plan, @ExchangeProperty(RunContext.PROPERTY) RunContext run) {
        ScanOutcome outcome = scan.outcome();
        try {
            ScanStore.Saved saved = new ScanStore(dataSource()).save(run.runId(), outcome);
            plan.saved(saved);
            metrics.stored(run.job().id(), saved.scan());
            if (!saved.scan().ok()) {
                LOG.warn("Scan of {} ended {}: {}", outcome.image(), outcome.status().text(), outcome.error());
            }
        } catch (SQLException e) {
            LOG.error("Could not store the scan of {}", outcome.image(), e);
            plan.notStored(outcome.image() + ": " + e.getMessage());
        }
        List<ScanStore.Saved> done = plan.saved();
        long failed = done.stream().filter(s -> !s.scan().ok()).count();
        run.putResult("scanned", done.size() - failed);
        run.putResult("failed", failed);
        run.progress("scanned " + (done.size() + plan.notStored().size()) + " of " + plan.imagesTotal()
                + " images (" + failed + " failed)");
    }

    /** The run's result; old scans are pruned. Scans that could not be stored fail the run, after all the others. */
    public Map<String, Object> result(@ExchangeProperty(ScanPlan.PROPERTY) ScanPlan plan,
            @ExchangeProperty(RunContext.PROPERTY) RunContext run) throws SQLException {
        Map<String, Object> result = ScanResult.of(plan.imagesTotal(), plan.saved());
        result.forEach(run::putResult);
        List<String> notStored = plan.notStored();
        if (!notStored.isEmpty()) {
            throw new IllegalStateException(notStored.size() + " of " + plan.imagesTotal()
                    + " scans could not be stored; first: " + notStored.get(0));
        }
        int pruned = new ScanStore(dataSource()).prune(Instant.now().minus(
                Duration.ofDays(plan.settings().keepDays())));
        result.put("pruned_scans", pruned);
        return result;
    }

    private Settings settings() {
        return Settings.of(camel);
    }

    private DataSource dataSource() {
        DataSource ds = camel.getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        if (ds == null) {
            throw new IllegalStateException("no dataSource bound: the application's database is not configured");
        }
        return ds;
    }
}
