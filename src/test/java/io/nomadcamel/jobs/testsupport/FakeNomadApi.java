package io.nomadcamel.jobs.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nomadcamel.jobs.testsupport.FakeNomadState.ApiError;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The endpoints of Nomad's HTTP API that the jobs use, routed as command/agent/*_endpoint.go routes them (suffix
 * matching under /v1/job/ and /v1/node/), with Nomad's checks in Nomad's order: method (405), then the ACL token
 * (403), then the lookup (404). Endpoints Nomad has but the fake does not implement answer 501, so a job that
 * starts using one fails loudly instead of passing against a fake that pretends.
 */
final class FakeNomadApi {

    record Request(String method, String path, Map<String, String> query, byte[] body, Runnable authorize) {
        String param(String name) {
            return query.get(name);
        }
    }

    record Reply(int status, String contentType, byte[] body, long index) {
        static Reply json(JsonNode body, long index) {
            return new Reply(200, "application/json", body.toString().getBytes(StandardCharsets.UTF_8), index);
        }

        static Reply text(int status, String message) {
            return new Reply(status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8), 0);
        }
    }

    private static final Duration DEFAULT_WAIT = Duration.ofMinutes(5); // Nomad's default MaxQueryTime
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final Set<String> UNIMPLEMENTED_JOB_SUFFIXES = Set.of("/evaluate", "/evaluations",
            "/periodic/force", "/plan", "/dispatch", "/versions", "/revert", "/deployments", "/deployment", "/stable",
            "/services", "/submission", "/actions", "/action");

    private final FakeNomadState state;
    private final FakeNomadScaleRequests scaleRequests = new FakeNomadScaleRequests();

    FakeNomadApi(FakeNomadState state) {
        this.state = state;
    }

    Reply handle(Request r) {
        try {
            return route(r);
        } catch (ApiError e) {
            return Reply.text(e.status, e.getMessage());
        }
    }

    private Reply route(Request r) {
        String path = r.path();
        if (path.equals("/v1/nodes")) {
            return read(r, () -> list(state.nodes.values(), n -> n.id,
                    n -> FakeNomadJson.nodeStub(n, "true".equals(r.param("os"))), r));
        }
        if (path.startsWith("/v1/node/")) {
            String rest = path.substring("/v1/node/".length());
            if (rest.endsWith("/allocations")) {
                String nodeId = rest.substring(0, rest.length() - "/allocations".length());
                // an unknown node has no allocations: Nomad answers [] here, not 404
                return read(r, () -> allocations(a -> a.node.id.equals(nodeId), FakeNomadJson::allocation));
            }
            if (rest.contains("/")) {
                throw notImplemented(r); // drain, eligibility, purge, evaluate
            }
            return read(r, () -> one(state.nodes.get(rest), "node not found", FakeNomadJson::node));
        }
        if (path.equals("/v1/allocations")) {
            return read(r, () -> list(state.allocations.values(), a -> a.id, a -> withoutTaskStatesIf(
                    "false".equals(r.param("task_states")), FakeNomadJson.allocationStub(a)), r));
        }
        if (path.startsWith("/v1/allocation/")) {
            String id = path.substring("/v1/allocation/".length());
            if (id.contains("/")) {
                throw notImplemented(r); // stop, services, checks
            }
            return read(r, () -> one(state.allocations.get(id), "alloc not found", FakeNomadJson::allocation));
        }
        if (path.equals("/v1/jobs")) {
            if (r.method().equals("PUT") || r.method().equals("POST")) {
                throw notImplemented(r);
            }
            return read(r, () -> list(state.jobs.values(), j -> j.id, FakeNomadJobJson::jobStub, r));
        }
        if (path.startsWith("/v1/job/")) {
            return jobRoute(r, path.substring("/v1/job/".length()));
        }
        return new Reply(404, null, new byte[0], 0); // Nomad's fall-through: 404 with an empty body
    }

    private Reply jobRoute(Request r, String rest) {
        if (rest.endsWith("/allocations")) {
            String jobId = rest.substring(0, rest.length() - "/allocations".length());
            // like the node variant, an unknown job lists no allocations rather than 404
            return read(r, () -> allocations(a -> a.job.id.equals(jobId), FakeNomadJson::allocationStub));
        }
        if (rest.endsWith("/summary")) { // Nomad does not check the method of this one
            String jobId = rest.substring(0, rest.length() - "/summary".length());
            return readAnyMethod(r, () -> one(state.jobs.get(jobId), "job not found", FakeNomadJobJson::jobSummary));
        }
        if (rest.endsWith("/scale")) {
            String jobId = rest.substring(0, rest.length() - "/scale".length());
            if (r.method().equals("PUT") || r.method().equals("POST")) {
                return scale(r, jobId);
            }
            return read(r, () -> one(state.jobs.get(jobId), "job not found", FakeNomadJobJson::scaleStatus));
        }
        if (UNIMPLEMENTED_JOB_SUFFIXES.stream().anyMatch(rest::endsWith)) {
            throw notImplemented(r);
        }
        if (Set.of("PUT", "POST", "DELETE").contains(r.method())) {
            throw notImplemented(r); // job register and stop exist in Nomad; the jobs never call them
        }
        return read(r, () -> one(state.jobs.get(rest), "job not found", FakeNomadJobJson::job));
    }

    private Reply scale(Request r, String jobId) {
        FakeNomadScaleRequests.Parsed body = scaleRequests.parse(r.body(), jobId); // 400s come before the token
        r.authorize().run();
        scaleRequests.validate(body);
        FakeNomadState.ScaleResult result = state.scheduler.scale(jobId, body.group(), body.count(), body.message(),
                body.error(), body.meta());
        return Reply.json(FakeNomadJobJson.scaleResponse(result), result.index());
    }

    private Reply read(Request r, Supplier<Reply> render) {
        if (!r.method().equals("GET")) {
            throw new ApiError(405, "Invalid method");
        }
        return readAnyMethod(r, render);
    }

    private Reply readAnyMethod(Request r, Supplier<Reply> render) {
        long minIndex = blockingIndex(r);
        Duration wait = blockingWait(r);
        r.authorize().run();
        if (minIndex > 0) {
            try {
                state.awaitIndexAfter(minIndex, wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiError(500, "fake Nomad stopping");
            }
        }
        synchronized (state) {
            return render.get();
        }
    }

    private <T> Reply list(Collection<T> items, Function<T, String> id,
            Function<T, ObjectNode> render, Request r) {
        String prefix = r.param("prefix") == null ? "" : r.param("prefix");
        // memdb iterates its ID index, so Nomad's lists come sorted by ID
        List<ObjectNode> out = items.stream().filter(i -> id.apply(i).startsWith(prefix))
                .sorted(Comparator.comparing(id)).map(render).toList();
        return Reply.json(FakeNomadJson.array(out), state.index());
    }

    private Reply allocations(Predicate<FakeNomadAllocation> filter,
            Function<FakeNomadAllocation, ObjectNode> render) {
        List<ObjectNode> out = state.allocations.values().stream().filter(filter)
                .sorted(Comparator.comparing((FakeNomadAllocation a) -> a.id)).map(render).toList();
        return Reply.json(FakeNomadJson.array(out), state.index());
    }

    private <T> Reply one(T item, String notFound, Function<T, ObjectNode> render) {
        if (item == null) {
            throw new ApiError(404, notFound);
        }
        return Reply.json(render.apply(item), state.index());
    }

    private static ObjectNode withoutTaskStatesIf(boolean drop, ObjectNode stub) {
        if (drop) {
            stub.remove("TaskStates");
        }
        return stub;
    }

    private static ApiError notImplemented(Request r) {
        return new ApiError(501, "FakeNomad does not implement " + r.method() + " " + r.path());
    }

    private static long blockingIndex(Request r) {
        String index = r.param("index");
        if (index == null || index.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(index);
        } catch (NumberFormatException e) {
            throw new ApiError(400, "Invalid index");
        }
    }

    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    /** ?wait= is a Go duration ("5s", "1m30s", "250ms"); Nomad caps it at 10 minutes. */
    private static Duration blockingWait(Request r) {
        String wait = r.param("wait");
        if (wait == null || wait.isEmpty()) {
            return DEFAULT_WAIT;
        }
        Matcher m = GO_DURATION_PART.matcher(wait);
        double nanos = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double unit = switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            nanos += Double.parseDouble(m.group(1)) * unit;
            end = m.end();
        }
        if (end != wait.length()) {
            throw new ApiError(400, "Invalid wait time");
        }
        Duration parsed = Duration.ofNanos((long) nanos);
        return parsed.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : parsed;
    }
}
