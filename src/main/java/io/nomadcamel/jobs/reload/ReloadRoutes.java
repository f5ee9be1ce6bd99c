package io.nomadcamel.jobs.reload;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/** {@code GET /api/route-problems}: route files that were rejected or wait for runs, for the console's banner. */
public class ReloadRoutes extends RouteBuilder {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void configure() {
        from("platform-http:/api/route-problems?httpMethodRestrict=GET").routeId("api-route-problems")
                .process(exchange -> {
                    RouteReloader reloader = exchange.getContext().getRegistry()
                            .lookupByNameAndType("routeReloader", RouteReloader.class);
                    List<Map<String, String>> problems = reloader == null ? List.of() : reloader.problems().stream()
                            .map(p -> Map.of("file", p.file(), "state", p.state(), "message", p.message())).toList();
                    exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
                    exchange.getMessage().setBody(JSON.writeValueAsString(problems));
                });
    }
}
