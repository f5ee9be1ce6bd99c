package io.nomadcamel.jobs.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nomadcamel.jobs.testsupport.FakeNomadApi.Reply;
import io.nomadcamel.jobs.testsupport.FakeNomadState.ApiError;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * An in-process Nomad HTTP API on 127.0.0.1 (free port) with state the test sets up and the API changes: nodes,
 * jobs, allocations; scaling a group really stops or starts allocations (and can stop or start a real process
 * through {@link #onScale}). Faults can be injected and every request is logged. Use it as
 * {@code @RegisterExtension static final FakeNomad nomad = new FakeNomad();} (call {@link #reset()} between tests)
 * or with try-with-resources after {@link #start()}.
 */
public final class FakeNomad extends ServerFixture {

    /** Called on the fake's scheduler thread before the allocations change; the change waits for it to return. */
    @FunctionalInterface
    public interface ScaleListener {
        void onScale(String group, int oldCount, int newCount) throws Exception;
    }

    /** A request as it arrived; {@code nomadToken} is the X-Nomad-Token header, null when absent. */
    public record RecordedRequest(String method, String path, String query, String body, String nomadToken,
            String authorization) {
    }

    private record Fault(String method, Pattern path, int status, String body, int[] remaining) {
    }

    private record Change(String method, Pattern path, Runnable change) {
    }

    private final FakeNomadState state = new FakeNomadState();
    private final FakeNomadApi api = new FakeNomadApi(state);
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<Change> changes = new ArrayList<>();
    private volatile String requiredToken;
    private HttpServer server;
    private ExecutorService httpThreads;

    @Override
    protected void doStart() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // blocking queries hold a thread for up to their wait, so requests must not queue behind each other
        httpThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-nomad-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(httpThreads);
        server.createContext("/", this::exchange);
        server.start();
    }

    @Override
    protected void doStop() {
        if (server != null) {
            server.stop(0);
            httpThreads.shutdownNow();
            server = null;
        }
        state.reset();
    }

    /** Base address for NOMAD_ADDR, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        if (server == null) {
            throw new IllegalStateException("FakeNomad is not started");
        }
        return server.getAddress().getPort();
    }

    /** Turns ACLs on: requests must carry this token (X-Nomad-Token, or Authorization: Bearer). */
    public FakeNomad requireToken(String token) {
        this.requiredToken = token;
        return this;
    }

    /** A ready, eligible node whose HTTPAddr is {@code ip:4646} and unique.network.ip-address is {@code ip}. */
    public FakeNomadNode addNode(String name, String ip) {
        return state.addNode(name, ip);
    }

    public FakeNomadNode node(String name) {
        return state.nodeNamed(name);
    }

    public FakeNomadJob addJob(String id) {
        return state.addJob(id);
    }

    /** A running allocation of the group on the named node. */
    public FakeNomadAllocation runAllocation(String jobId, String group, String nodeName) {
        return state.place(jobId, group, nodeName, "running");
    }

    /** An allocation in any client status: pending, running, complete or failed. */
    public FakeNomadAllocation addAllocation(String jobId, String group, String nodeName, String clientStatus) {
        return state.place(jobId, group, nodeName, clientStatus);
    }

    /** Runs as many allocations on the node as each group of the job counts. */
    public List<FakeNomadAllocation> placeAllocations(String jobId, String nodeName) {
        synchronized (state) {
            FakeNomadJob job = state.jobs.get(jobId);
            if (job == null) {
                throw new IllegalArgumentException("no job " + jobId);
            }
            List<FakeNomadAllocation> placed = new ArrayList<>();
            for (FakeNomadJob.Group group : List.copyOf(job.groups)) {
                for (int i = 0; i < group.count; i++) {
                    placed.add(runAllocation(jobId, group.name, nodeName));
                }
            }
            return placed;
        }
    }

    /** All allocations of the job, whatever their status, oldest first. */
    public List<FakeNomadAllocation> allocations(String jobId) {
        return state.allocationsOf(jobId);
    }

    public int groupCount(String jobId, String group) {
        return state.group(jobId, group).count();
    }

    /** Listens to count changes of the job's groups, e.g. to stop a real process at 0 and start it at 1. */
    public FakeNomad onScale(String jobId, ScaleListener listener) {
        state.scheduler.onScale(jobId, listener);
        return this;
    }

    /** Scale-downs of the job are accepted (DesiredStatus stop) but its allocations keep running. */
    public FakeNomad neverDrain(String jobId) {
        state.scheduler.neverDrain(jobId);
        return this;
    }

    /** How long allocations take to stop and to start after a scale call, so that pollers have to poll. */
    public FakeNomad allocationDelays(Duration stopping, Duration starting) {
        state.scheduler.delays(stopping, starting);
        return this;
    }

    /**
     * The next {@code times} requests whose method (null for any) and path (a regex matched against the whole path,
     * query excluded) match get {@code status} with {@code body} as plain text, before any other check.
     */
    public FakeNomad failNext(String method, String pathPattern, int times, int status, String body) {
        synchronized (faults) {
            faults.add(new Fault(method, Pattern.compile(pathPattern), status, body == null ? "" : body,
                    new int[] {times}));
        }
        return this;
    }

    /**
     * Makes {@code change} (e.g. an allocation placed) once, right after the next request whose method (null for any)
     * and path (regex, whole path) match was answered from the state before it, and before the client gets that
     * answer: the cluster changed between that read and the client's next one, as it can at any moment in Nomad.
     */
    public FakeNomad changeAfterNextAnswer(String method, String pathPattern, Runnable change) {
        synchronized (changes) {
            changes.add(new Change(method, Pattern.compile(pathPattern), change));
        }
        return this;
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** The logged requests with this method (null for any) whose path matches the regex. */
    public List<RecordedRequest> requests(String method, String pathPattern) {
        Pattern path = Pattern.compile(pathPattern);
        return requests.stream()
                .filter(r -> (method == null || method.equals(r.method())) && path.matcher(r.path()).matches())
                .toList();
    }

    /** Exceptions the scale listeners threw (a failed start also fails the new allocations). */
    public List<Throwable> listenerFailures() {
        return state.scheduler.listenerFailures();
    }

    /** Waits until every stop/start caused by the scale calls so far has happened. */
    public void awaitScaling(Duration timeout) {
        try {
            state.scheduler.awaitTransitions(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Empties the cluster, the request log and the faults, and turns ACLs off; the server keeps its port. */
    public void reset() {
        state.reset();
        requests.clear();
        synchronized (faults) {
            faults.clear();
        }
        synchronized (changes) {
            changes.clear();
        }
        requiredToken = null;
    }

    private void exchange(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();
            byte[] body = exchange.getRequestBody().readAllBytes();
            String nomadToken = exchange.getRequestHeaders().getFirst("X-Nomad-Token");
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            requests.add(new RecordedRequest(method, path, query, new String(body, StandardCharsets.UTF_8),
                    nomadToken, authorization));
            Reply reply = injectedFault(method, path);
            if (reply == null) {
                reply = answer(new FakeNomadApi.Request(method, path, parseQuery(query), body,
                        () -> authorize(nomadToken, authorization)));
            }
            runChangeAfter(method, path);
            send(exchange, reply);
        } finally {
            exchange.close();
        }
    }

    private void runChangeAfter(String method, String path) {
        Change due = null;
        synchronized (changes) {
            for (Change c : changes) {
                if ((c.method() == null || c.method().equals(method)) && c.path().matcher(path).matches()) {
                    due = c;
                    break;
                }
            }
            changes.remove(due);
        }
        if (due != null) {
            due.change().run();
        }
    }

    private Reply answer(FakeNomadApi.Request request) {
        try {
            return api.handle(request);
        } catch (RuntimeException e) { // a bug in the fake: make it visible to the client and in the test output
            e.printStackTrace();
            return Reply.text(500, "FakeNomad failed: " + e);
        }
    }

    private Reply injectedFault(String method, String path) {
        synchronized (faults) {
            for (Fault f : faults) {
                if (f.remaining()[0] > 0 && (f.method() == null || f.method().equals(method))
                        && f.path().matcher(path).matches()) {
                    f.remaining()[0]--;
                    return Reply.text(f.status(), f.body());
                }
            }
        }
        return null;
    }

    /** Nomad's ACL answers: no token is the anonymous token (Permission denied); an unknown one is not found. */
    private void authorize(String nomadToken, String authorization) {
        String required = requiredToken;
        if (required == null) {
            return;
        }
        String presented = nomadToken != null && !nomadToken.isBlank() ? nomadToken.trim() : bearer(authorization);
        if (presented == null || presented.isEmpty()) {
            throw new ApiError(403, "Permission denied");
        }
        if (!presented.equals(required)) {
            throw new ApiError(403, "ACL token not found");
        }
    }

    private static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String[] parts = authorization.trim().split(" +", 2);
        return parts.length == 2 && parts[0].equalsIgnoreCase("bearer") ? parts[1].trim().split(" ")[0] : null;
    }

    private static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(key, value);
        }
        return params;
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        if (reply.contentType() != null) {
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        }
        if (reply.index() > 0) {
            exchange.getResponseHeaders().set("X-Nomad-Index", Long.toString(reply.index()));
            exchange.getResponseHeaders().set("X-Nomad-KnownLeader", "true");
            exchange.getResponseHeaders().set("X-Nomad-LastContact", "0");
        }
        exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
        if (reply.body().length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        }
    }
}
