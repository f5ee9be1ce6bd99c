package io.nomadcamel.jobs.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.apache.camel.main.Main;
import org.jolokia.server.core.restrictor.policy.PolicyRestrictor;

/**
 * Hawtio's way in: Jolokia on the management port, only when {@code JOLOKIA_USER} and {@code JOLOKIA_PASSWORD} are
 * both set, behind HTTP basic authentication, and limited by the allowlist in jolokia-access.xml (reads for everyone
 * with the credentials, a few named operations, no writes: see that file and the README's Hawtio section). Camel's
 * basic authentication reads its users from a file, so one is written for this process only (owner-readable,
 * deleted on exit).
 */
public final class JolokiaAccess {

    /** Where Camel's Jolokia plugin reads its policy from (Jolokia's default location). */
    static final String POLICY = "jolokia-access.xml";

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
        requirePolicy();
        Path users = writeUsersFile(user, password);
        main.addInitialProperty("camel.management.jolokia-enabled", "true");
        main.addInitialProperty("camel.management.authentication-enabled", "true");
        main.addInitialProperty("camel.management.authentication-path", "/observe/jolokia/*");
        main.addInitialProperty("camel.management.basic-properties-file", users.toString());
    }

    /**
     * Camel's Jolokia plugin falls back to allowing everything when it finds no policy file, and logs only a
     * warning: here a missing or unreadable policy stops start-up instead.
     */
    static void requirePolicy() {
        try (InputStream policy = JolokiaAccess.class.getResourceAsStream("/" + POLICY)) {
            if (policy == null) {
                throw new IllegalStateException("Jolokia is enabled but its access policy " + POLICY
                        + " is not on the classpath: refusing to serve Jolokia without it");
            }
            new PolicyRestrictor(policy);
        } catch (IOException | SecurityException e) {
            throw new IllegalStateException("Jolokia's access policy " + POLICY + " cannot be read: "
                    + e.getMessage(), e);
        }
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
