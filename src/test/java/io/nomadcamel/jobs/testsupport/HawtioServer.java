package io.nomadcamel.jobs.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Hawtio console as operators run one beside the application: the {@code io.hawt:hawtio-default} war from Maven
 * Central served at {@code /hawtio} by a stock Jetty 12 distribution ({@code jetty-home}), both copied into
 * target/test-tools by the build, run as a child process on 127.0.0.1. Its own login is off; its proxy (the way its
 * Connect page reaches a remote Jolokia) is on and allowed to reach 127.0.0.1 and localhost only.
 */
public final class HawtioServer extends RestartableServer {

    /** The version the pom copies and the README documents. */
    public static final String VERSION = "4.2.0";

    @Override
    protected void doStart() throws IOException {
        Path war = Programs.testToolsDir().resolve("hawtio.war");
        Path jettyHome = jettyHome();
        if (!Files.isRegularFile(war)) {
            throw new IllegalStateException("Hawtio is missing at " + war.toAbsolutePath() + ": run `mvn "
                    + "generate-test-resources` (or the README's test command), which copies io.hawt:hawtio-default");
        }
        home = TempDirs.create("hawtio");
        Path base = Files.createDirectories(home.resolve("base"));
        Files.copy(war, Files.createDirectories(base.resolve("webapps")).resolve("hawtio.war"));
        // Jetty unpacks the war into ${jetty.base}/work when it exists, so nothing is left in /tmp after the stop
        Files.createDirectories(base.resolve("work"));
        port = Ports.free();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new RestartableProcess("hawtio", List.of(java, "-Xmx384m",
                "-Djava.io.tmpdir=" + Files.createDirectories(home.resolve("tmp")),
                // Hawtio's own login: off, the application's Jolokia asks for its credentials
                "-Dhawtio.authenticationEnabled=false",
                // the Connect page's proxy, limited to this machine (no probing of the other local addresses)
                "-Dhawtio.disableProxy=false",
                "-Dhawtio.proxyAllowlist=localhost,127.0.0.1",
                "-Dhawtio.localAddressProbing=false",
                "-jar", jettyHome.resolve("start.jar").toString(),
                "jetty.home=" + jettyHome, "jetty.base=" + base,
                // server properties go before --module: Jetty 12 scopes those after an ee10 module to that environment
                "jetty.http.host=127.0.0.1", "jetty.http.port=" + port,
                "--module=http,ee10-deploy"),
                home, port, Duration.ofSeconds(60));
        process.start();
        awaitConsole(Duration.ofSeconds(60));
    }

    /** Jetty listens before the war is deployed: wait until the console's page is served. */
    private void awaitConsole(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!running()) {
                throw new IllegalStateException("Hawtio's Jetty exited:\n" + output());
            }
            try {
                if (AppProcess.get(url("/")).statusCode() == 200) {
                    return;
                }
            } catch (java.io.UncheckedIOException stillDeploying) {
                // the first request waits for the deployment and may time out on a busy machine
            }
            Ports.sleep(100);
        }
        throw new IllegalStateException("Hawtio did not serve " + url("/") + " within " + timeout + ":\n" + output());
    }

    /** The jetty-home the build unpacked (jetty-home-<version> in the test tools); surefire names its folder. */
    private static Path jettyHome() {
        Path home = Path.of(System.getProperty("test.jetty.home", unpackedJettyHome()));
        if (!Files.isRegularFile(home.resolve("start.jar"))) {
            throw new IllegalStateException("Jetty is missing at " + home.toAbsolutePath() + ": run `mvn "
                    + "generate-test-resources` (or the README's test command), which unpacks org.eclipse.jetty:jetty-home");
        }
        return home.toAbsolutePath();
    }

    private static String unpackedJettyHome() {
        try (java.util.stream.Stream<Path> tools = Files.list(Programs.testToolsDir())) {
            return tools.filter(p -> p.getFileName().toString().startsWith("jetty-home-")).findFirst()
                    .orElse(Programs.testToolsDir().resolve("jetty-home-<version>")).toString();
        } catch (java.io.IOException noToolsYet) {
            return Programs.testToolsDir().resolve("jetty-home-<version>").toString();
        }
    }

    /** A URL of the console, e.g. {@code url("/camel/routes")}. */
    public String url(String path) {
        return "http://127.0.0.1:" + port + "/hawtio" + path;
    }

    /** Jetty's and Hawtio's output so far. */
    public String output() {
        try {
            return Files.readString(log());
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
