package io.nomadcamel.jobs.web;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Fails start-up when a port the application must listen on is taken. Camel 4.17's Vert.x server only logs a bind
 * failure and carries on, which would leave an instance that looks up but answers nothing; so the port is tried
 * before the servers start.
 */
public final class PortCheck {

    private PortCheck() {
    }

    public static void assertFree(String host, int port, String setting) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot listen on " + host + ":" + port + " (" + setting + "): "
                    + e.getMessage() + "; is another process using it?");
        }
    }
}
