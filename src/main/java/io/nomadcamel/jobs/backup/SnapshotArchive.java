package io.nomadcamel.jobs.backup;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Checks a Nomad or Consul snapshot archive as their restore does: a gzipped tar of exactly {@code meta.json},
 * {@code state.bin} and {@code SHA256SUMS}, each member's SHA-256 equal to its line in SHA256SUMS
 * ({@code <hex>  <name>}). Reads the file once, as a stream: a snapshot of any size takes the same memory.
 */
final class SnapshotArchive {

    /** In the order the archives hold them. */
    static final List<String> MEMBERS = List.of("meta.json", "state.bin", "SHA256SUMS");
    private static final int BLOCK = 512;

    private SnapshotArchive() {
    }

    /** Throws {@link InvalidArtifactException} naming what is wrong. */
    static void verify(Path archive) throws IOException {
        Map<String, String> actual = new LinkedHashMap<>();
        String sums = null;
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive), 65536),
                65536)) {
            byte[] header = new byte[BLOCK];
            while (true) {
                if (!readBlock(in, header)) {
                    throw new InvalidArtifactException("the tar archive ends without its end-of-archive blocks");
                }
                if (isZero(header)) {
                    break;
                }
                String name = string(header, 0, 100);
                String prefix = string(header, 345, 155);
                if (!prefix.isEmpty() && header[257] == 'u') {
                    name = prefix + "/" + name;
                }
                long size = size(header);
                char type = (char) (header[156] == 0 ? '0' : header[156]);
                if (type == 'x' || type == 'g') {
                    skip(in, padded(size)); // PAX attributes: nothing a snapshot needs
                    continue;
                }
                if (type != '0') {
                    throw new InvalidArtifactException("unexpected tar entry '" + name + "' of type " + type);
                }
                if (!MEMBERS.contains(name) || actual.containsKey(name)) {
                    throw new InvalidArtifactException("unexpected file '" + name + "' in snapshot");
                }
                MessageDigest digest = Checksums.sha256();
                java.io.ByteArrayOutputStream keep = name.equals("SHA256SUMS") ? new java.io.ByteArrayOutputStream()
                        : null;
                copy(in, size, digest, keep);
                skip(in, padded(size) - size);
                actual.put(name, HexFormat.of().formatHex(digest.digest()));
                if (keep != null) {
                    sums = keep.toString(StandardCharsets.UTF_8);
                }
            }
        } catch (EOFException e) {
            throw new InvalidArtifactException("the archive is truncated");
        } catch (java.util.zip.ZipException e) {
            throw new InvalidArtifactException("not a gzip file: " + e.getMessage());
        }
        for (String member : MEMBERS) {
            if (!actual.containsKey(member)) {
                throw new InvalidArtifactException("the snapshot has no " + member);
            }
        }
        Map<String, String> listed = parseSums(sums);
        for (String member : new String[] {"meta.json", "state.bin"}) {
            if (!actual.get(member).equals(listed.get(member))) {
                throw new InvalidArtifactException("the SHA-256 of " + member + " does not match SHA256SUMS");
            }
        }
    }

    private static Map<String, String> parseSums(String sums) {
        Map<String, String> listed = new LinkedHashMap<>();
        for (String line : sums.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.trim().split("\\s+", 2);
            if (parts.length != 2 || !parts[0].matches("[0-9a-f]{64}")) {
                throw new InvalidArtifactException("SHA256SUMS has a malformed line: " + line);
            }
            listed.put(parts[1].startsWith("*") ? parts[1].substring(1) : parts[1], parts[0]);
        }
        return listed;
    }

    private static boolean readBlock(InputStream in, byte[] block) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) {
            return false;
        }
        if (n < BLOCK) {
            throw new EOFException();
        }
        return true;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String string(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    /** Octal, or GNU base-256 for sizes over 8 GiB (high bit of the first byte set). */
    private static long size(byte[] header) {
        if ((header[124] & 0x80) != 0) {
            long size = 0;
            for (int i = 125; i < 136; i++) {
                size = (size << 8) | (header[i] & 0xff);
            }
            return size;
        }
        String octal = string(header, 124, 12).trim();
        try {
            return octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
        } catch (NumberFormatException e) {
            throw new InvalidArtifactException("a tar header has a malformed size '" + octal + "'");
        }
    }

    private static long padded(long size) {
        return (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    private static void copy(InputStream in, long size, MessageDigest digest, java.io.OutputStream keep)
            throws IOException {
        byte[] buffer = new byte[65536];
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException();
            }
            digest.update(buffer, 0, n);
            if (keep != null) {
                if (size > 1 << 20) {
                    throw new InvalidArtifactException("SHA256SUMS is over 1 MiB");
                }
                keep.write(buffer, 0, n);
            }
            left -= n;
        }
    }

    private static void skip(InputStream in, long bytes) throws IOException {
        in.skipNBytes(bytes);
    }
}
