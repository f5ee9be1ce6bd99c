package io.nomadcamel.jobs.scheduler.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.nomadcamel.jobs.Durations;
import io.nomadcamel.jobs.scheduler.InputSchema;
import io.nomadcamel.jobs.scheduler.InvalidJobException;
import io.nomadcamel.jobs.scheduler.JobDefinition;
import io.nomadcamel.jobs.scheduler.JobDefinitions;
import io.nomadcamel.jobs.scheduler.Mode;
import io.nomadcamel.jobs.scheduler.Run;
import io.nomadcamel.jobs.scheduler.RunState;
import io.nomadcamel.jobs.scheduler.RunStore;
import io.nomadcamel.jobs.scheduler.Scheduler;
import io.nomadcamel.jobs.scheduler.Schedules;

/**
 * The jobs and runs API of design §4 as plain Java: each method takes what the HTTP layer parsed and answers a
 * status and a JSON body. Client mistakes are 4xx with a message naming the field; nothing is created on error.
 */
public final class SchedulerApi {

    private final Scheduler scheduler;
    private final String apiToken;

    public SchedulerApi(Scheduler scheduler, String apiToken) {
        this.scheduler = scheduler;
        this.apiToken = apiToken;
    }

    /** Mutating calls need {@code Authorization: Bearer <API_TOKEN>}; with no token configured they are off. */
    public void authorize(String authorization) throws ApiResponse.Failure {
        if (apiToken == null || apiToken.isBlank()) {
            throw new ApiResponse.Failure(403, "API_TOKEN is not set on the server: mutating calls are disabled");
        }
        String presented = authorization == null ? "" : authorization.trim();
        // the scheme is case-insensitive (RFC 7235 §2.1); the token is compared in constant time
        if (!presented.regionMatches(true, 0, "Bearer ", 0, 7) || !MessageDigest.isEqual(
                apiToken.getBytes(StandardCharsets.UTF_8), presented.substring(7).getBytes(StandardCharsets.UTF_8))) {
            throw new ApiResponse.Failure(401, "missing or wrong bearer token");
        }
    }

    public ApiResponse listJobs() throws Exception {
        List<Object> jobs = new ArrayList<>();
        for (JobDefinition job : scheduler.jobs().all()) {
            jobs.add(jobJson(job));
        }
        return ApiResponse.ok(jobs);
    }

    /** {@code GET /api/job-types}: each job type with its description and input schema (JSON Schema, defaults). */
    public ApiResponse jobTypes() {
        JobDefinitions definitions = scheduler.jobs().definitions();
        return ApiResponse.ok(definitions.contracts().describe(definitions.knownTypes()));
    }

    public ApiResponse getJob(String id) throws Exception {
        return ApiResponse.ok(jobJson(job(id)));
    }

    public ApiResponse createJob(String body) throws Exception {
        JsonNode json = Json.parseBody(body);
        JobDefinition job;
        try {
            job = scheduler.jobs().definitions().fromJson(json);
        } catch (InvalidJobException e) {
            throw new ApiResponse.Failure(400, e.getMessage(), e.field());
        }
        try {
            scheduler.create(job, Json.write(json));
        } catch (Scheduler.JobExistsException e) {
            throw new ApiResponse.Failure(409, e.getMessage(), "id");
        }
        return new ApiResponse(201, jobJson(job));
    }

    public ApiResponse deleteJob(String id) throws Exception {
        JobDefinition job = job(id);
        if (job.source() == JobDefinition.Source.PROPERTIES) {
            throw new ApiResponse.Failure(409, "job '" + id + "' is defined in application.properties; remove it "
                    + "there");
        }
        scheduler.delete(id);
        return new ApiResponse(204, null);
    }

    public ApiResponse trigger(String id, String body) throws Exception {
        JsonNode json = Json.parseBody(body);
        if (json != null && !json.isObject()) {
            throw new ApiResponse.Failure(400, "the body must be a JSON object: the input override", "input");
        }
        JobDefinition job = job(id);
        Run run;
        try {
            run = scheduler.trigger(job.id(), Run.API, json == null ? Map.of() : Json.toMap(json));
        } catch (InputSchema.InvalidInputException e) {
            throw new ApiResponse.Failure(400, e.getMessage(), e.field());
        } catch (RunStore.ActiveRunExists e) {
            throw new ApiResponse.Failure(409, e.getMessage() + "; stop it or wait");
        } catch (Scheduler.JobDisabledException e) {
            throw new ApiResponse.Failure(409, e.getMessage());
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("run_id", run.id());
        answer.put("state", run.state().name());
        answer.put("queue_position", run.queue() == null ? 0 : scheduler.runs().queuePosition(run.id(), run.queue()));
        return new ApiResponse(202, answer);
    }

    public ApiResponse pause(String id, boolean paused) throws Exception {
        scheduler.pause(job(id).id(), paused);
        return ApiResponse.ok(jobJson(job(id)));
    }

    public ApiResponse listRuns(String jobId, String state, String limit) throws Exception {
        RunState filter = null;
        if (state != null && !state.isBlank()) {
            try {
                filter = RunState.valueOf(state.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ApiResponse.Failure(400, "state must be one of " + List.of(RunState.values()), "state");
            }
        }
        int max = 100;
        if (limit != null && !limit.isBlank()) {
            try {
                max = Integer.parseInt(limit.trim());
            } catch (NumberFormatException e) {
                max = -1;
            }
            if (max < 1 || max > 1000) {
                throw new ApiResponse.Failure(400, "limit must be a whole number from 1 to 1000", "limit");
            }
        }
        List<Object> runs = new ArrayList<>();
        for (Run run : scheduler.runs().list(blankToNull(jobId), filter, max)) {
            runs.add(runJson(run));
        }
        return ApiResponse.ok(runs);
    }

    public ApiResponse getRun(String id) throws Exception {
        return ApiResponse.ok(runJson(run(id)));
    }

    public ApiResponse stopRun(String id) throws Exception {
        Run run = run(id);
        return switch (scheduler.stop(run.id())) {
            case STOPPING -> new ApiResponse(202, runJson(scheduler.runs().find(run.id()).orElse(run)));
            case ALREADY_FINISHED -> throw new ApiResponse.Failure(409, "run " + run.id() + " already ended "
                    + scheduler.runs().find(run.id()).map(r -> r.state().name()).orElse(""));
            case NOT_FOUND -> throw new ApiResponse.Failure(404, "no run " + id);
        };
    }

    private JobDefinition job(String id) throws ApiResponse.Failure {
        return scheduler.jobs().find(id).orElseThrow(() -> new ApiResponse.Failure(404, "no job '" + id + "'"));
    }

    private Run run(String id) throws Exception {
        long runId;
        try {
            runId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new ApiResponse.Failure(404, "no run '" + id + "'");
        }
        return scheduler.runs().find(runId).orElseThrow(() -> new ApiResponse.Failure(404, "no run " + runId));
    }

    private Map<String, Object> jobJson(JobDefinition job) throws Exception {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", job.id());
        j.put("type", job.type());
        j.put("mode", job.mode().text());
        j.put("cron", job.cron());
        j.put("every", job.every() == null ? null : Durations.format(job.every()));
        j.put("queue", job.queue());
        j.put("timeout", Durations.format(job.timeout()));
        j.put("enabled", job.enabled());
        boolean paused = scheduler.jobStore().paused(job.id());
        j.put("paused", paused);
        j.put("catchup", job.catchup() == null ? null : Durations.format(job.catchup()));
        j.put("restart_delay", job.mode() == Mode.CONTINUOUS ? Durations.format(job.restartDelay()) : null);
        j.put("max_attempts", job.maxAttempts());
        j.put("input", job.input());
        j.put("source", job.source() == JobDefinition.Source.API ? "api" : "properties");
        j.put("next_run", job.recurring() && job.enabled() && !paused
                ? iso(Schedules.next(job, Instant.now())) : null);
        Optional<Run> last = scheduler.runs().lastFinished(job.id());
        j.put("last_run", last.map(this::lastRunJson).orElse(null));
        List<String> problems = scheduler.readiness().problems(job);
        j.put("ready", problems.isEmpty());
        j.put("problems", problems);
        return j;
    }

    private Map<String, Object> lastRunJson(Run run) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", run.id());
        r.put("state", run.state().name());
        r.put("started_at", iso(run.startedAt()));
        r.put("finished_at", iso(run.finishedAt()));
        r.put("duration_ms", run.startedAt() == null || run.finishedAt() == null ? null
                : java.time.Duration.between(run.startedAt(), run.finishedAt()).toMillis());
        return r;
    }

    static Map<String, Object> runJson(Run run) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", run.id());
        r.put("job", run.jobId());
        r.put("type", run.type());
        r.put("trigger", run.trigger());
        r.put("state", run.state().name());
        r.put("reason", run.reason());
        r.put("attempt", run.attempt());
        r.put("queue", run.queue());
        r.put("slot_at", iso(run.slotAt()));
        r.put("queued_at", iso(run.queuedAt()));
        r.put("started_at", iso(run.startedAt()));
        r.put("finished_at", iso(run.finishedAt()));
        r.put("input", Json.readOrNull(run.input()));
        r.put("result", Json.readOrNull(run.result()));
        r.put("error", run.error());
        r.put("progress", run.progress());
        r.put("instance", run.instance());
        return r;
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
