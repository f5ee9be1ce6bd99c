package io.nomadcamel.jobs.web;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * Camel 4.17's Vert.x engine finds the port of the main HTTP server by looking for the single server in the
 * registry; with a separate management server there are two, and it falls back to 8080, so any other
 * {@code camel.server.port} fails at start-up with "No PlatformHttpEngine created". This engine is told the port.
 */
public final class ServerPortEngine extends VertxPlatformHttpEngine {

    private final int serverPort;

    private ServerPortEngine(int serverPort) {
        this.serverPort = serverPort;
    }

    @Override
    public int getServerPort() {
        return serverPort;
    }

    public static void install(CamelContext context, int serverPort) {
        context.getComponent("platform-http", PlatformHttpComponent.class).setEngine(new ServerPortEngine(serverPort));
    }
}
