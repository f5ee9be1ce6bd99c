package io.nomadcamel.jobs;

import io.nomadcamel.jobs.trace.Tracing;
import io.nomadcamel.jobs.web.JolokiaAccess;
import org.apache.camel.main.Main;

/**
 * Starts nomad-camel-jobs: Camel Main, with the configuration classes and Java routes of this package tree, the
 * operator-editable routes of {@code routes/} and the settings of {@code application.properties} in the working
 * directory. {@code CONFIG_FILE} names one more properties file whose values win over that one; environment
 * variables win over both ({@code SERVER_PORT} overrides {@code server.port}).
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main(Application.class);
        main.setPropertyPlaceholderLocations(Settings.placeholderLocations(System.getenv("CONFIG_FILE")));
        JolokiaAccess.configure(main, System.getenv("JOLOKIA_USER"), System.getenv("JOLOKIA_PASSWORD"));
        Tracing.install(main, System.getenv());
        main.run(args);
    }
}
