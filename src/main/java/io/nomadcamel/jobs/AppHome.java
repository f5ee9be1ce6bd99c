package io.nomadcamel.jobs;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * The folder that holds {@code application.properties} and {@code routes/}: {@code APP_HOME}, else the parent of the
 * folder the application's jar is in ({@code <home>/target/nomad-camel-jobs.jar}, or {@code <home>/lib/...} when
 * installed; {@code <home>/target/classes} when run from a build). So {@code java -jar <path>/nomad-camel-jobs.jar}
 * works from any directory. Relative settings other than these two (data.dir, backup.dir) stay relative to the
 * working directory, as operators set them.
 */
public final class AppHome {

    private AppHome() {
    }

    /**
     * The home, checked: a missing folder or file is a {@link Settings.InvalidSettingException} naming what was looked
     * for and where, for a one-line start-up failure.
     */
    public static Path locate(String appHome, Class<?> anchor) {
        Path home;
        String how;
        if (appHome != null && !appHome.isBlank()) {
            home = Path.of(appHome.trim()).toAbsolutePath().normalize();
            how = "APP_HOME";
        } else {
            home = fromCodeSource(anchor);
            how = "the folder above the jar's (set APP_HOME to choose another)";
        }
        for (String needed : new String[] {"application.properties", "routes"}) {
            Path p = home.resolve(needed);
            boolean there = needed.equals("routes") ? Files.isDirectory(p) : Files.isRegularFile(p);
            if (!there) {
                throw new Settings.InvalidSettingException("Cannot start: no " + needed + (needed.equals("routes")
                        ? "/ folder" : "") + " in " + home + ", the application's home (" + how + ")");
            }
        }
        return home;
    }

    private static Path fromCodeSource(Class<?> anchor) {
        CodeSource source = anchor.getProtectionDomain().getCodeSource();
        try {
            Path location = Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
            Path parent = location.getParent();
            return parent != null && parent.getParent() != null ? parent.getParent() : Path.of("").toAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("").toAbsolutePath();
        }
    }
}
