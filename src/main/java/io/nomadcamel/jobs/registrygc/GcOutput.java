package io.nomadcamel.jobs.registrygc;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code registry garbage-collect} printed on stdout (distribution 2.8 and 3 print the same): per repository
 * the marked manifests and blobs, {@code manifest eligible for deletion: <digest>} lines (with
 * {@code --delete-untagged}), the summary line {@code <N> blobs marked, <M> blobs and <K> manifests eligible for
 * deletion}, then one {@code blob eligible for deletion: <digest>} line per blob. A dry run prints the same as a real
 * run, which then deletes exactly those.
 *
 * @param summary null when the summary line is missing (output cut short, or a format this parser does not know)
 */
public record GcOutput(List<String> eligibleBlobs, List<String> eligibleManifests, Summary summary) {

    /** The counts of the summary line. */
    public record Summary(long blobsMarked, long blobsEligible, long manifestsEligible, String line) {
    }

    private static final String BLOB = "blob eligible for deletion: ";
    private static final String MANIFEST = "manifest eligible for deletion: ";
    private static final Pattern SUMMARY =
            Pattern.compile("^(\\d+) blobs marked, (\\d+) blobs and (\\d+) manifests eligible for deletion$");

    public static GcOutput parse(String stdout) {
        List<String> blobs = new ArrayList<>();
        List<String> manifests = new ArrayList<>();
        Summary summary = null;
        for (String raw : stdout.split("\r?\n")) {
            String line = raw.strip();
            if (line.startsWith(BLOB)) {
                blobs.add(line.substring(BLOB.length()).strip());
            } else if (line.startsWith(MANIFEST)) {
                manifests.add(line.substring(MANIFEST.length()).strip());
            } else {
                Matcher m = SUMMARY.matcher(line);
                if (m.matches()) {
                    summary = new Summary(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                            Long.parseLong(m.group(3)), line);
                }
            }
        }
        return new GcOutput(List.copyOf(blobs), List.copyOf(manifests), summary);
    }
}
