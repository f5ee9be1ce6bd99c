package io.nomadcamel.jobs.web;

import java.util.Optional;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * The operator's web console: {@code GET /} answers the page, {@code GET /static/<file>} its script and style. The
 * page only calls the HTTP API (design §4) from the browser, with the operator's token; nothing here reads state.
 */
public class ConsoleRoutes extends RouteBuilder {

    /**
     * The page loads its script and style from this server only and runs no inline script, so text that reaches the
     * page as data (job ids, errors, results) cannot run as code even if a rendering bug let it in.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final ConsoleAssets assets = new ConsoleAssets();

    @Override
    public void configure() {
        from("platform-http:/?httpMethodRestrict=GET").routeId("console-page")
                .process(exchange -> answer(exchange, assets.find("index.html")));
        from("platform-http:/static/{file}?httpMethodRestrict=GET").routeId("console-static")
                .process(exchange -> answer(exchange, assets.find(exchange.getIn().getHeader("file", String.class))));
    }

    private static void answer(Exchange exchange, Optional<ConsoleAssets.Asset> asset) {
        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader("X-Content-Type-Options", "nosniff");
        message.setHeader("Referrer-Policy", "no-referrer");
        // no Cache-Control (platform-http's header filter drops it) and no Last-Modified or ETag: without a validator
        // browsers do not cache heuristically, so a console never outlives an upgrade
        if (asset.isEmpty()) {
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
            message.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
            message.setBody("not found");
            return;
        }
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, asset.get().contentType());
        if (asset.get().name().endsWith(".html")) {
            message.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            message.setHeader("X-Frame-Options", "DENY");
        }
        message.setBody(asset.get().bytes());
    }
}
