package io.nomadcamel.jobs;

import io.nomadcamel.jobs.scheduler.InvalidJobException;
import io.nomadcamel.jobs.trace.Tracing;
import io.nomadcamel.jobs.web.JolokiaAccess;
import org.apache.camel.main.Main;
import org.slf4j.LoggerFactory;

/**
 * Starts nomad-camel-jobs: Camel Main, with the configuration classes and Java routes of this package tree, the
 * operator-editable routes of {@code routes/} and the settings of {@code application.properties} in the application's
 * home ({@link AppHome}: {@code APP_HOME}, else the folder above the jar's), from whatever working directory. {@code CONFIG_FILE} names one more properties file whose values win over that one; environment
 * variables win over both ({@code SERVER_PORT} overrides {@code server.port}).
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        java.nio.file.Path home;
        try {
            home = AppHome.locate(System.getenv("APP_HOME"), Application.class);
        } catch (Settings.InvalidSettingException e) {
            LoggerFactory.getLogger(Application.class).error(e.getMessage());
            System.exit(1);
            return;
        }
        Main main = new Main(Application.class);
        main.setPropertyPlaceholderLocations(Settings.placeholderLocations(home, System.getenv("CONFIG_FILE")));
        main.addInitialProperty("app.home", home.toString());
        JolokiaAccess.configure(main, System.getenv("JOLOKIA_USER"), System.getenv("JOLOKIA_PASSWORD"));
        Tracing.install(main, System.getenv());
        try {
            main.run(args);
        } catch (Exception e) {
            Throwable mistake = configurationMistake(e);
            if (mistake == null) {
                throw e;
            }
            // one line that names the setting or the job's field: a stack trace would only bury it. An invalid job
            // is found while the context starts, and Camel has logged that line already.
            if (!(mistake instanceof InvalidJobException)) {
                LoggerFactory.getLogger(Application.class).error("Cannot start: {}", mistake.getMessage());
            }
            System.exit(1);
        }
    }

    private static Throwable configurationMistake(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidJobException || t instanceof Settings.InvalidSettingException) {
                return t;
            }
        }
        return null;
    }
}
