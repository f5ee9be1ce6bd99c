package io.nomadcamel.jobs.trivy;

import static io.nomadcamel.jobs.testsupport.FakeTrivy.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The parser against Trivy's own golden reports (SchemaVersion 2) and the ways a report can be broken. */
class TrivyReportParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final TrivyReportParser parser = new TrivyReportParser();

    private TrivyReport parse(String json) throws Exception {
        return parser.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void alpine39KeepsEveryPackageOfACveAndCountsPerPackageFinding() throws Exception {
        TrivyReport r = parse(fixture("alpine-39.json.golden"));
        assertEquals(6, r.findings().size());
        assertEquals(new SeverityCounts(2, 0, 4, 0, 0), r.counts());
        assertEquals(Set.of("CVE-2019-1549", "CVE-2019-1551", "CVE-2019-14697"),
                r.findings().stream().map(Finding::vulnId).collect(Collectors.toSet()));
        // the original dropped a CVE's second package: both packages of each CVE are here
        assertEquals(Set.of("libcrypto1.1", "libssl1.1"), packagesOf(r, "CVE-2019-1549"));
        assertEquals(Set.of("musl", "musl-utils"), packagesOf(r, "CVE-2019-14697"));
        Finding musl = r.findings().stream().filter(f -> f.pkgName().equals("musl")).findFirst().orElseThrow();
        assertEquals("1.1.20-r4", musl.installedVersion());
        assertEquals("1.1.20-r5", musl.fixedVersion());
        assertEquals(Severity.CRITICAL, musl.severity());
        assertNull(musl.title(), "this finding has no Title in the report");
        assertTrue(musl.description().startsWith("musl libc through 1.1.23"), musl.description());
        assertEquals("testdata/fixtures/images/alpine-39.tar.gz (alpine 3.9.4)", musl.target());
        assertEquals("sha256:055936d3920576da37aa9bc460d70c5f212028bda1c08c0879aedf03d7a66ea1", r.imageId());
        assertNull(r.digest(), "no RepoDigests in a report made from a tarball");
    }

    @Test
    void otherGoldens() throws Exception {
        assertEquals(new SeverityCounts(0, 0, 4, 0, 0), parse(fixture("alpine-310.json.golden")).counts());
        assertEquals(new SeverityCounts(1, 0, 0, 1, 0), parse(fixture("debian-buster.json.golden")).counts());
        TrivyReport debian = parse(fixture("debian-buster.json.golden"));
        assertNull(debian.findings().stream().filter(f -> f.pkgName().equals("bash")).findFirst().orElseThrow()
                .fixedVersion(), "bash has no fix yet");
        TrivyReport fluentd = parse(fixture("fluentd-gems.json.golden"));
        assertEquals(new SeverityCounts(1, 1, 0, 0, 0), fluentd.counts(), "OS packages and Ruby gems together");
        Finding gem = fluentd.findings().stream().filter(f -> f.pkgName().equals("activesupport")).findFirst()
                .orElseThrow();
        assertEquals("Ruby", gem.target());
        assertTrue(gem.pkgPath() != null && gem.pkgPath().endsWith(".gemspec"), gem.pkgPath());
    }

    @Test
    void aResultWithoutVulnerabilitiesAndAReportWithoutResultsAreCleanScans() throws Exception {
        assertEquals(List.of(), parse(fixture("sl-micro-rancher5.4.json.golden")).findings());
        TrivyReport skip = parse(fixture("alpine-39-skip.json.golden"));
        assertEquals(List.of(), skip.findings());
        assertEquals(SeverityCounts.NONE, skip.counts());
    }

    @Test
    void descriptionIsCutTo1000CharactersAndDigestComesFromRepoDigests() throws Exception {
        ObjectNode report = (ObjectNode) JSON.readTree(fixture("alpine-39.json.golden"));
        ObjectNode first = (ObjectNode) report.path("Results").get(0).path("Vulnerabilities").get(0);
        first.put("Description", "x".repeat(999) + "\uD83D\uDE00" + "tail");
        first.put("Severity", "UNKNOWN");
        ((ObjectNode) report.get("Metadata")).putArray("RepoDigests")
                .add("ghcr.io/aquasecurity/trivy-test-images@sha256:abc123");
        TrivyReport r = parse(JSON.writeValueAsString(report));
        Finding cut = r.findings().get(0);
        assertEquals(999, cut.description().length(), "an emoji that would straddle the limit is dropped whole");
        assertEquals(Severity.UNKNOWN, cut.severity());
        assertEquals(new SeverityCounts(2, 0, 3, 0, 1), r.counts(), "UNKNOWN is kept, not in the four counts");
        assertEquals("sha256:abc123", r.digest());
    }

    @Test
    void aFindingRepeatedInOneResultIsKeptOnce() throws Exception {
        ObjectNode report = (ObjectNode) JSON.readTree(fixture("alpine-39.json.golden"));
        ArrayNode vulns = (ArrayNode) report.path("Results").get(0).path("Vulnerabilities");
        vulns.add(vulns.get(0).deepCopy());
        assertEquals(6, parse(JSON.writeValueAsString(report)).findings().size());
    }

    @Test
    void brokenReportsNameTheProblem() {
        assertParseError("{\"SchemaVersion\": 2, \"Results\": [", "invalid JSON");
        assertParseError("Trivy: unexpected panic", "invalid JSON");
        assertParseError("[]", "not a JSON object");
        assertParseError("", "not a JSON object");
        assertParseError("{\"Results\": []}", "SchemaVersion is missing");
        assertParseError("{\"SchemaVersion\": 1, \"Results\": []}", "SchemaVersion is 1");
        assertParseError("{\"SchemaVersion\": 2, \"Results\": {}}", "Results is not an array");
        assertParseError("{\"SchemaVersion\": 2} {}", "content after");
        assertParseError("{\"SchemaVersion\": 2, \"Results\": [{\"Target\": \"t\", \"Vulnerabilities\": "
                + "[{\"PkgName\": \"musl\"}]}]}", "Results[0].Vulnerabilities[0] has no VulnerabilityID");
    }

    private void assertParseError(String json, String expected) {
        TrivyReportParser.ReportParseException e = assertThrows(TrivyReportParser.ReportParseException.class,
                () -> parse(json), json);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static Set<String> packagesOf(TrivyReport r, String vulnId) {
        return r.findings().stream().filter(f -> f.vulnId().equals(vulnId)).map(Finding::pkgName)
                .collect(Collectors.toSet());
    }
}
