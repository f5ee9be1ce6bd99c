package io.nomadcamel.jobs.trivy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.scheduler.api.ApiResponse;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP routes of the scans API (read-only, so no token): {@code GET /api/scans[?vulnerability=CVE-…]} and
 * {@code GET /api/scans/{image}}. Image names hold slashes and colons ({@code ghcr.io/org/app:1.2}), so the image is
 * everything after {@code /api/scans/}, written plainly or percent-encoded.
 */
public class ScansRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(ScansRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PREFIX = "/api/scans";

    @Override
    public void configure() {
        from("platform-http:" + PREFIX + "?httpMethodRestrict=GET&matchOnUriPrefix=true").routeId("api-scans")
                .process(this::respond);
    }

    private void respond(Exchange exchange) {
        ApiResponse response;
        String path = exchange.getIn().getHeader(Exchange.HTTP_URI, String.class);
        try {
            ScansApi api = new ScansApi(exchange.getContext().getRegistry().lookupByNameAndType("dataSource",
                    DataSource.class));
            String image = imageOf(path);
            response = image == null ? api.list(checked(exchange.getIn().getHeader("vulnerability", String.class),
                    "query parameter 'vulnerability'")) : api.image(image);
        } catch (ApiResponse.Failure failure) {
            response = failure.response();
        } catch (Exception e) {
            LOG.error("GET {} failed: {}", path, e.getMessage(), e);
            response = ApiResponse.error(500, "internal error: " + e.getClass().getSimpleName());
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, response.status());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            exchange.getMessage().setBody(JSON.writeValueAsString(response.body()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The image of a request URI ({@code /api/scans/ghcr.io/org/app:1.2?x=y} → {@code ghcr.io/org/app:1.2}); null
     * for the list. The raw URI is decoded here, once, so {@code %2F} and {@code /} give the same name.
     */
    static String imageOf(String uri) throws ApiResponse.Failure {
        String path = uri == null ? PREFIX : uri;
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (!path.startsWith(PREFIX) || (path.length() > PREFIX.length() && path.charAt(PREFIX.length()) != '/')) {
            throw new ApiResponse.Failure(404, "no such resource: " + path);
        }
        String rest = path.length() <= PREFIX.length() + 1 ? "" : path.substring(PREFIX.length() + 1);
        if (rest.isEmpty()) {
            return null;
        }
        String image;
        try {
            image = URLDecoder.decode(rest.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiResponse.Failure(400, "the image in the path is not valid percent-encoding");
        }
        return checked(image, "the image in the path");
    }

    /** No image name or CVE id holds a control character (and PostgreSQL text cannot hold NUL): a 400, not a 500. */
    static String checked(String value, String what) throws ApiResponse.Failure {
        if (value != null && value.chars().anyMatch(Character::isISOControl)) {
            throw new ApiResponse.Failure(400, what + " contains a control character");
        }
        return value;
    }
}
