package io.nomadcamel.jobs.scheduler.api;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.scheduler.SchedulerService;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP routes of the jobs and runs API (design §4); the handling is in {@link SchedulerApi}. */
public class ApiRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);

    @FunctionalInterface
    private interface Handler {
        ApiResponse handle(SchedulerApi api, Exchange exchange) throws Exception;
    }

    @Override
    public void configure() {
        serve("api-jobs", "/api/jobs", "GET,POST", (api, ex) -> isGet(ex) ? api.listJobs()
                : api.createJob(body(ex)));
        serve("api-job", "/api/jobs/{id}", "GET,DELETE", (api, ex) -> isGet(ex) ? api.getJob(param(ex, "id"))
                : api.deleteJob(param(ex, "id")));
        serve("api-job-trigger", "/api/jobs/{id}/runs", "POST", (api, ex) -> api.trigger(param(ex, "id"), body(ex)));
        serve("api-job-pause", "/api/jobs/{id}/pause", "POST", (api, ex) -> api.pause(param(ex, "id"), true));
        serve("api-job-resume", "/api/jobs/{id}/resume", "POST", (api, ex) -> api.pause(param(ex, "id"), false));
        serve("api-runs", "/api/runs", "GET", (api, ex) -> api.listRuns(param(ex, "job"), param(ex, "state"),
                param(ex, "limit")));
        serve("api-run", "/api/runs/{id}", "GET", (api, ex) -> api.getRun(param(ex, "id")));
        serve("api-run-stop", "/api/runs/{id}/stop", "POST", (api, ex) -> api.stopRun(param(ex, "id")));
    }

    private void serve(String routeId, String path, String methods, Handler handler) {
        from("platform-http:" + path + "?httpMethodRestrict=" + methods).routeId(routeId)
                .process(exchange -> respond(exchange, handler));
    }

    private void respond(Exchange exchange, Handler handler) {
        ApiResponse response;
        try {
            SchedulerApi api = api(exchange);
            if (!isGet(exchange)) {
                api.authorize(exchange.getIn().getHeader("Authorization", String.class));
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
            exchange.getMessage().setBody(Json.write(response.body()));
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

    private static String body(Exchange exchange) {
        return exchange.getIn().getBody(String.class);
    }
}
