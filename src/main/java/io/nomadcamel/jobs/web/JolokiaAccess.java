package io.nomadcamel.jobs.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.apache.camel.main.Main;

/**
 * Hawtio's way in: Jolokia on the management port, only when {@code JOLOKIA_USER} and {@code JOLOKIA_PASSWORD} are
 * both set, behind HTTP basic authentication, and limited by the access restrictor in jolokia-access.xml. Camel's
 * basic authentication reads its users from a file, so one is written for this process only (owner-readable,
 * deleted on exit).
 */
public final class JolokiaAccess {

    private JolokiaAccess() {
    }

    /** Adds the management-server settings for Jolokia to Camel Main, or nothing when it is off. */
    public static void configure(Main main, String user, String password) {
        boolean hasUser = user != null && !user.isBlank();
        boolean hasPassword = password != null && !password.isEmpty();
        if (!hasUser && !hasPassword) {
            return;
        }
        if (!hasUser || !hasPassword) {
            throw new IllegalArgumentException("Jolokia needs both JOLOKIA_USER and JOLOKIA_PASSWORD; only "
                    + (hasUser ? "JOLOKIA_USER" : "JOLOKIA_PASSWORD") + " is set");
        }
        if (!user.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("JOLOKIA_USER must be 1-64 characters of A-Z, a-z, 0-9, '.', '_', '-'");
        }
        if (password.contains(",") || password.contains("\n") || password.contains("\r")) {
            throw new IllegalArgumentException("JOLOKIA_PASSWORD must not contain ',' or line breaks");
        }
        Path users = writeUsersFile(user, password);
        main.addInitialProperty("camel.management.jolokia-enabled", "true");
        main.addInitialProperty("camel.management.authentication-enabled", "true");
        main.addInitialProperty("camel.management.authentication-path", "/observe/jolokia/*");
        main.addInitialProperty("camel.management.basic-properties-file", users.toString());
    }

    private static Path writeUsersFile(String user, String password) {
        try {
            Path file = Files.createTempFile("ncj-jolokia-users-", ".properties",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            file.toFile().deleteOnExit();
            Files.writeString(file, "user." + user + " = " + password + ",hawtio\nrole.hawtio = *\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Jolokia users file", e);
        }
    }
}
