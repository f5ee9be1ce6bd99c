package io.nomadcamel.jobs.trivy;

import java.util.List;

/**
 * What we keep of a Trivy JSON report: the image's digests when Trivy knows them, and its findings.
 *
 * @param digest  the repository digest ({@code sha256:…} of {@code Metadata.RepoDigests[0]}), null when absent
 * @param imageId the config digest ({@code Metadata.ImageID}), null when absent
 */
public record TrivyReport(String digest, String imageId, List<Finding> findings) {

    public TrivyReport {
        findings = List.copyOf(findings);
    }

    public SeverityCounts counts() {
        return SeverityCounts.of(findings);
    }
}
