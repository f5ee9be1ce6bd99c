package io.nomadcamel.jobs.cleanup;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.nomadcamel.jobs.ssh.ShellQuoting;

/**
 * Docker clean-up on a node: {@code docker system prune -af} in a live run (its "Total reclaimed space" line is the
 * space freed), {@code docker system df} in a dry run (what such a prune would reclaim). Sizes are parsed from
 * Docker's decimal human sizes (go-units: B, kB, MB, GB, … in powers of 1000, e.g. "1.838GB"; Docker before 17.06
 * wrote "1.838 GB"), so they are exact to Docker's four significant digits.
 */
public final class DockerPrune {

    private static final String SIZE = "([0-9.]+(?:e\\+[0-9]+)?) ?([kKMGTPEZY]?B)";
    private static final Pattern RECLAIMED = Pattern.compile("^Total reclaimed space: " + SIZE + "\\s*$",
            Pattern.MULTILINE);
    /** A df row: TYPE TOTAL ACTIVE SIZE RECLAIMABLE [(pct)]. */
    private static final Pattern DF_ROW = Pattern.compile("^(Images|Containers|Local Volumes|Build Cache)\\s+[0-9]+\\s+"
            + "[0-9]+\\s+" + SIZE + "\\s+" + SIZE, Pattern.MULTILINE);

    private DockerPrune() {
    }

    public static String pruneCommand(String dockerBin) {
        return ShellQuoting.command(dockerBin, "system", "prune", "-af");
    }

    public static String dfCommand(String dockerBin) {
        return ShellQuoting.command(dockerBin, "system", "df");
    }

    /** Bytes from the prune's "Total reclaimed space: 1.838GB" line. */
    public static long reclaimedBytes(String pruneOutput) {
        Matcher m = RECLAIMED.matcher(pruneOutput);
        if (!m.find()) {
            throw new IllegalStateException("docker system prune printed no 'Total reclaimed space' line");
        }
        return bytes(m.group(1), m.group(2));
    }

    /**
     * What {@code system prune -af} would free: the reclaimable space of images, containers and build cache.
     * Volumes are left out: prune removes them only with --volumes, which this job never passes.
     */
    public static long reclaimableBytes(String dfOutput) {
        Matcher m = DF_ROW.matcher(dfOutput);
        long total = 0;
        boolean any = false;
        while (m.find()) {
            any = true;
            if (!m.group(1).equals("Local Volumes")) {
                total += bytes(m.group(4), m.group(5));
            }
        }
        if (!any) {
            throw new IllegalStateException("docker system df printed no usage table");
        }
        return total;
    }

    static long bytes(String number, String unit) {
        // "B" is power 0; "kB" 1, "MB" 2, ...: the prefix's place in go-units' decimal list
        int power = "BKMGTPEZY".indexOf(unit.toUpperCase(Locale.ROOT).charAt(0));
        return Math.round(Double.parseDouble(number) * Math.pow(1000, power));
    }
}
