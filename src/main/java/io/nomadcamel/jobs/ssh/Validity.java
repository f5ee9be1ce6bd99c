package io.nomadcamel.jobs.ssh;

import java.time.Instant;

import org.apache.sshd.common.config.keys.OpenSshCertificate;

/** Certificate validity windows in words, for errors an operator can act on. */
final class Validity {

    private Validity() {
    }

    static String describe(OpenSshCertificate cert) {
        return "valid from " + instant(cert.getValidAfter()) + " to " + instant(cert.getValidBefore());
    }

    /** OpenSSH stores seconds as unsigned 64 bits; "forever" is all ones. */
    private static String instant(long unsignedSeconds) {
        if (unsignedSeconds < 0 || unsignedSeconds > Instant.MAX.getEpochSecond()) {
            return "forever";
        }
        return Instant.ofEpochSecond(unsignedSeconds).toString();
    }
}
