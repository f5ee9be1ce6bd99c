package io.nomadcamel.jobs.ssh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * Reads OpenSSH public key and certificate files ({@code type base64 comment} per line). Failures are
 * {@link SshSetupException}s that name the file; MINA's parser messages quote the offending line, so they stay out.
 */
final class OpenSshPublicKeys {

    private OpenSshPublicKeys() {
    }

    static PublicKey readOne(Path file, String what) {
        List<PublicKey> keys = readAll(file, what);
        if (keys.size() != 1) {
            throw new SshSetupException(what + " must hold exactly one key line, found " + keys.size());
        }
        return keys.get(0);
    }

    /** Every key of the file, in order; blank lines and # comments are skipped; an empty file is an error. */
    static List<PublicKey> readAll(Path file, String what) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file).stream()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new SshSetupException(what + " " + CertificateKeyPairProvider.ioProblem(e));
        } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new SshSetupException(what + " is not a text file (" + e.getClass().getSimpleName() + ")");
        }
        if (lines.isEmpty()) {
            throw new SshSetupException(what + " is empty");
        }
        List<PublicKey> keys = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            keys.add(parse(lines.get(i), what + " line " + (i + 1)));
        }
        return keys;
    }

    private static PublicKey parse(String line, String what) {
        try {
            PublicKeyEntry entry = PublicKeyEntry.parsePublicKeyEntry(line);
            PublicKey key = entry == null ? null : entry.resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
            if (key != null) {
                return key;
            }
        } catch (Exception e) {
            throw new SshSetupException(what + " could not be parsed (" + e.getClass().getSimpleName() + ")");
        }
        throw new SshSetupException(what + " could not be parsed");
    }
}
