package io.nomadcamel.jobs.testsupport;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds the real programs the tests run, failing with the Debian package that provides a missing one. */
public final class Programs {

    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin");

    private Programs() {
    }

    public static Path require(String program, String debianPackage) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(EXTRA_DIRS);
        dirs.addAll(postgresBinDirs());
        for (String dir : dirs) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("The tests need the program '" + program + "', which is not installed: "
                + "install the Debian package " + debianPackage + " (apt-get install " + debianPackage
                + "), or run the README's test command, which installs it");
    }

    /** Debian keeps the server programs in /usr/lib/postgresql/<major>/bin, off the PATH; newest first. */
    private static List<String> postgresBinDirs() {
        File[] versions = new File("/usr/lib/postgresql").listFiles();
        if (versions == null) {
            return List.of();
        }
        return java.util.Arrays.stream(versions)
                .filter(f -> f.getName().matches("\\d+"))
                .sorted((a, b) -> Integer.parseInt(b.getName()) - Integer.parseInt(a.getName()))
                .map(f -> f.toPath().resolve("bin").toString())
                .toList();
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The folder where the build put tools the tests run as child processes (target/test-tools). */
    public static Path testToolsDir() {
        return Path.of(System.getProperty("test.tools.dir", "target/test-tools"));
    }
}
