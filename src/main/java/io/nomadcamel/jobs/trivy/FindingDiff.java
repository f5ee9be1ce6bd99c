package io.nomadcamel.jobs.trivy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What changed between two successful scans of an image, finding by finding ({@link Finding#key()}: the CVE in the
 * package). A finding listed under several targets counts once.
 *
 * @param added findings of the newer scan that the older did not have
 * @param fixed findings of the older scan that the newer no longer has
 */
public record FindingDiff(List<Finding> added, List<Finding> fixed) {

    public static FindingDiff between(Collection<Finding> before, Collection<Finding> after) {
        return new FindingDiff(missingFrom(after, keys(before)), missingFrom(before, keys(after)));
    }

    public int addedWith(Severity severity) {
        return (int) added.stream().filter(f -> f.severity() == severity).count();
    }

    private static Set<Finding.Key> keys(Collection<Finding> findings) {
        Set<Finding.Key> keys = new HashSet<>();
        findings.forEach(f -> keys.add(f.key()));
        return keys;
    }

    private static List<Finding> missingFrom(Collection<Finding> findings, Set<Finding.Key> other) {
        List<Finding> out = new ArrayList<>();
        Set<Finding.Key> seen = new HashSet<>();
        for (Finding f : findings) {
            if (!other.contains(f.key()) && seen.add(f.key())) {
                out.add(f);
            }
        }
        return out;
    }
}
