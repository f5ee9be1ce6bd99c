package io.nomadcamel.jobs.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import org.apache.camel.builder.RouteBuilder;

/** {@code GET /api/version}: which build is running, for operators and deploy checks. */
public class VersionRoutes extends RouteBuilder {

    public static String version() {
        Properties p = new Properties();
        try (InputStream in = VersionRoutes.class.getResourceAsStream("/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version", "unknown");
    }

    @Override
    public void configure() {
        String body = "{\"name\":\"nomad-camel-jobs\",\"version\":\"" + version() + "\"}";
        from("platform-http:/api/version?httpMethodRestrict=GET").routeId("api-version")
                .setHeader("Content-Type", constant("application/json"))
                .setBody(constant(body));
    }
}
