package io.nomadcamel.jobs.registrygc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.nomadcamel.jobs.Settings;
import org.apache.camel.Body;

/**
 * The registry-specific steps of {@code routes/registry-gc.camel.yaml} around the offline-maintenance building block:
 * {@link #plan} turns the job's input into the maintenance request (the garbage-collect command, the data dir to
 * measure), {@link #report} turns what the command printed into the run's result.
 */
public final class RegistryGc {

    /** The result lists at most this many digests; the counts are always complete. */
    static final int LISTED_DIGESTS = 1000;

    private final Supplier<Settings> settings;

    private final Supplier<io.micrometer.core.instrument.MeterRegistry> meters;

    public RegistryGc(Supplier<Settings> settings) {
        this(settings, io.micrometer.core.instrument.simple.SimpleMeterRegistry::new);
    }

    public RegistryGc(Supplier<Settings> settings, Supplier<io.micrometer.core.instrument.MeterRegistry> meters) {
        this.meters = meters;
        this.settings = settings;
    }

    /** Checks the input ({@link RegistryGcJobType}, naming any bad field) and builds the maintenance request. */
    public Map<String, Object> plan(@Body Map<String, Object> input) {
        Map<String, Object> in = RegistryGcJobType.INPUT.check(input);
        String job = (String) in.get("job_name");
        String group = (String) in.getOrDefault("group_name", job);
        String dataDir = (String) in.get("registry_data_dir");
        String image = (String) in.get("registry_image");
        boolean dryRun = (boolean) in.get("dry_run");
        boolean deleteUntagged = (boolean) in.get("delete_untagged");
        String template = settings.get().string(GcCommand.SETTING, GcCommand.DEFAULT_TEMPLATE);

        Map<String, Object> request = new LinkedHashMap<>();
        request.put("job_name", job);
        request.put("group_name", group);
        request.put("purpose", "registry-gc");
        request.put("command", GcCommand.render(template, dataDir, image, dryRun, deleteUntagged));
        request.put("measure_path", dataDir);
        request.put("dry_run", dryRun);
        request.put("delete_untagged", deleteUntagged);
        copyDuration(in, "drain_timeout", request, "drain_timeout");
        copyDuration(in, "start_timeout", request, "start_timeout");
        copyDuration(in, "gc_timeout", request, "command_timeout");
        return request;
    }

    /** The run's result from the offline maintenance's output (design §5 names, plus the digests and summary). */
    public Map<String, Object> report(@Body Map<String, Object> done) {
        GcOutput gc = GcOutput.parse(String.valueOf(done.getOrDefault("command_stdout", "")));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("node_name", done.get("node_name"));
        result.put("node_addr", done.get("node_addr"));
        result.put("dry_run", done.get("dry_run"));
        result.put("blobs_deleted", gc.eligibleBlobs().size());
        result.put("manifests_deleted", gc.eligibleManifests().size());
        long before = ((Number) done.get("before_bytes")).longValue();
        long after = ((Number) done.get("after_bytes")).longValue();
        result.put("before_bytes", before);
        result.put("after_bytes", after);
        result.put("bytes_reclaimed", ByteSizes.iec(before - after));
        if (!Boolean.TRUE.equals(done.get("dry_run")) && before > after) {
            io.micrometer.core.instrument.Counter.builder("ncj_registry_gc_bytes_reclaimed_total")
                    .description("bytes the registry's garbage collection freed").register(meters.get())
                    .increment(before - after);
        }
        if (gc.summary() != null) {
            result.put("blobs_marked", gc.summary().blobsMarked());
            result.put("summary", gc.summary().line());
        } else {
            result.put("warnings", List.of("garbage-collect printed no summary line ('<N> blobs marked, <M> blobs and "
                    + "<K> manifests eligible for deletion'): its output may have been cut short"));
        }
        result.put("eligible_blobs", first(gc.eligibleBlobs()));
        result.put("eligible_manifests", first(gc.eligibleManifests()));
        if (done.get("compensation") != null) {
            // else the scale-back comes later (onCompletion, the run's end hook) and records it itself
            result.put("compensation", done.get("compensation"));
        }
        return result;
    }

    private static List<String> first(List<String> digests) {
        return digests.size() <= LISTED_DIGESTS ? digests : digests.subList(0, LISTED_DIGESTS);
    }

    /** A duration the contract checked, under the name the maintenance request uses. */
    private static void copyDuration(Map<String, Object> in, String field, Map<String, Object> request, String as) {
        if (in.get(field) != null) {
            request.put(as, in.get(field));
        }
    }
}
