package io.nomadcamel.jobs.scheduler.api;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.scheduler.SchedulerService;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jackson.JacksonDataFormat;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP routes of the jobs and runs API (design §4); the handling is in {@link SchedulerApi}. */
public class ApiRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);

    @FunctionalInterface
    private interface Handler {
        ApiResponse handle(SchedulerApi api, Exchange exchange) throws Exception;
    }

    /** Answers are written by camel-jackson's json-jackson with the API's own mapper (snake_case maps, no beans). */
    private final JacksonDataFormat answers = answerFormat();

    private static JacksonDataFormat answerFormat() {
        JacksonDataFormat format = new JacksonDataFormat(Json.MAPPER, Object.class);
        format.setContentTypeHeader(false); // respond() sets it, and only when there is an answer
        return format;
    }

    @Override
    public void configure() {
        // paths are /api/jobs/{id}/... and /api/runs/{id}/...: the id is the path's third segment
        serve("api-jobs", "/api/jobs", "GET,POST", (api, ex) -> isGet(ex) ? api.listJobs()
                : api.createJob(body(ex)));
        serve("api-job-types", "/api/job-types", "GET", (api, ex) -> api.jobTypes());
        serve("api-job", "/api/jobs/{id}", "GET,DELETE", (api, ex) -> isGet(ex) ? api.getJob(pathId(ex))
                : api.deleteJob(pathId(ex)));
        serve("api-job-trigger", "/api/jobs/{id}/runs", "POST", (api, ex) -> api.trigger(pathId(ex), body(ex)));
        serve("api-job-pause", "/api/jobs/{id}/pause", "POST", (api, ex) -> api.pause(pathId(ex), true));
        serve("api-job-resume", "/api/jobs/{id}/resume", "POST", (api, ex) -> api.pause(pathId(ex), false));
        serve("api-runs", "/api/runs", "GET", (api, ex) -> api.listRuns(param(ex, "job"), param(ex, "state"),
                param(ex, "limit")));
        serve("api-run", "/api/runs/{id}", "GET", (api, ex) -> api.getRun(pathId(ex)));
        serve("api-run-stop", "/api/runs/{id}/stop", "POST", (api, ex) -> api.stopRun(pathId(ex)));
    }

    private void serve(String routeId, String path, String methods, Handler handler) {
        from("platform-http:" + path + "?httpMethodRestrict=" + methods).routeId(routeId)
                .process(exchange -> respond(exchange, handler)).id(routeId + "-handle")
                .filter(body().isNotNull()).id(routeId + "-has-answer")
                    .marshal(answers).id(routeId + "-to-json")
                .end();
    }

    private void respond(Exchange exchange, Handler handler) {
        ApiResponse response;
        try {
            SchedulerApi api = api(exchange);
            if (!isGet(exchange)) {
                api.authorize(authorization(exchange));
            }
            response = handler.handle(api, exchange);
        } catch (ApiResponse.Failure failure) {
            response = failure.response();
        } catch (Exception e) {
            // the operator sees a message, the log keeps the stack trace
            LOG.error("{} {} failed: {}", exchange.getIn().getHeader(Exchange.HTTP_METHOD),
                    exchange.getIn().getHeader(Exchange.HTTP_PATH), e.getMessage(), e);
            response = ApiResponse.error(500, "internal error: " + e.getClass().getSimpleName());
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, response.status());
        if (response.status() == 401) {
            exchange.getMessage().setHeader("WWW-Authenticate", "Bearer");
        }
        if (response.body() == null) {
            exchange.getMessage().setBody(null);
        } else {
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            exchange.getMessage().setBody(response.body());
        }
    }

    private SchedulerApi api(Exchange exchange) {
        var camel = exchange.getContext();
        SchedulerService service = camel.getRegistry().lookupByNameAndType("schedulerService", SchedulerService.class);
        Settings settings = camel.getRegistry().lookupByNameAndType("settings", Settings.class);
        return new SchedulerApi(service.scheduler(), settings.string("api.token", null));
    }

    private static boolean isGet(Exchange exchange) {
        return "GET".equals(exchange.getIn().getHeader(Exchange.HTTP_METHOD, String.class));
    }

    private static String param(Exchange exchange, String name) {
        return exchange.getIn().getHeader(name, String.class);
    }

    /**
     * The {id} of the path, read from the path itself: platform-http puts path parameters, query parameters and
     * request headers in one header map, so {@code ?id=other} would turn the header into a list of both.
     */
    private static String pathId(Exchange exchange) {
        String[] segments = exchange.getIn().getHeader(Exchange.HTTP_PATH, String.class).split("/");
        return segments.length > 3 ? segments[3] : "";
    }

    /** The Authorization request header only; a query parameter of that name lands in the same header map. */
    private static String authorization(Exchange exchange) {
        if (exchange.getIn() instanceof HttpMessage http) {
            return http.getRequest().getHeader("Authorization");
        }
        return exchange.getIn().getHeader("Authorization", String.class);
    }

    /** The body as UTF-8, whatever charset the request names: JSON is UTF-8, and malformed bytes are a 400. */
    private static String body(Exchange exchange) throws ApiResponse.Failure {
        return Json.utf8(exchange.getIn().getBody(byte[].class));
    }
}
