package io.nomadcamel.jobs.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/** SHA-256 and gzip integrity of files, read as streams with a fixed buffer whatever their size. */
final class Checksums {

    private static final int BUFFER = 1 << 16;

    private Checksums() {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Reads the whole gzip stream (every member, to its CRC and length trailer), as {@code gzip -t} does; throws
     * {@link InvalidArtifactException} if it is not intact.
     */
    static void checkGzip(Path file) throws IOException {
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), BUFFER)) {
            while (in.read(buffer) >= 0) {
                // reading is the check: GZIPInputStream verifies each member's CRC-32 and size at its end
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new InvalidArtifactException("gzip integrity check failed: " + e.getMessage());
        }
    }
}
