package io.nomadcamel.jobs.trivy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads Trivy's JSON report (SchemaVersion 2, {@code trivy image --format json}). The report is streamed: a large
 * image's report can be tens of MB, and several are read at once, so only one Result's vulnerabilities are held as
 * trees at a time. Unknown fields are ignored (live Trivy prints more than the samples show); {@code Results} may be
 * missing and a Result may lack {@code Vulnerabilities} (a clean image). A finding repeated in one Result (same CVE,
 * package, version and path) is kept once.
 */
public final class TrivyReportParser {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SCHEMA_VERSION = 2;

    /** The report is not what {@code trivy --format json} prints; the message says what is wrong, and where. */
    public static final class ReportParseException extends Exception {
        public ReportParseException(String message) {
            super(message);
        }
    }

    public TrivyReport parse(Path file) throws ReportParseException, IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in);
        }
    }

    public TrivyReport parse(InputStream in) throws ReportParseException {
        try (JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ReportParseException("the report is not a JSON object");
            }
            Integer schema = null;
            JsonNode metadata = null;
            List<Finding> findings = new ArrayList<>();
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "SchemaVersion" -> schema = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                    case "Metadata" -> metadata = p.readValueAsTree();
                    case "Results" -> readResults(p, value, findings);
                    default -> p.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT) {
                throw new ReportParseException("the report ends before its closing brace");
            }
            if (p.nextToken() != null) {
                throw new ReportParseException("the report has content after its closing brace");
            }
            if (schema == null || schema != SCHEMA_VERSION) {
                throw new ReportParseException("SchemaVersion is " + (schema == null ? "missing" : schema)
                        + "; this job reads SchemaVersion " + SCHEMA_VERSION);
            }
            return new TrivyReport(repoDigest(metadata), Text.cut(text(metadata, "ImageID"), 200), findings);
        } catch (IOException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            int nl = message.indexOf('\n');
            throw new ReportParseException("invalid JSON: " + (nl < 0 ? message : message.substring(0, nl)));
        }
    }

    private static void readResults(JsonParser p, JsonToken value, List<Finding> findings)
            throws IOException, ReportParseException {
        if (value == JsonToken.VALUE_NULL) {
            return;
        }
        if (value != JsonToken.START_ARRAY) {
            throw new ReportParseException("Results is not an array");
        }
        int index = 0;
        JsonToken token;
        while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.START_OBJECT) {
                throw new ReportParseException("Results[" + index + "] is not an object");
            }
            readResult(p, index++, findings);
        }
    }

    /** One Result; Target may come before or after its Vulnerabilities, so they are attached at its end. */
    private static void readResult(JsonParser p, int index, List<Finding> findings)
            throws IOException, ReportParseException {
        String target = null;
        List<JsonNode> vulnerabilities = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("Target")) {
                target = value == JsonToken.VALUE_STRING ? p.getText() : null;
            } else if (field.equals("Vulnerabilities") && value == JsonToken.START_ARRAY) {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    vulnerabilities.add(p.readValueAsTree());
                }
            } else if (field.equals("Vulnerabilities") && value != JsonToken.VALUE_NULL) {
                throw new ReportParseException("Results[" + index + "].Vulnerabilities is not an array");
            } else {
                p.skipChildren();
            }
        }
        Set<List<String>> seen = new LinkedHashSet<>();
        for (int i = 0; i < vulnerabilities.size(); i++) {
            JsonNode v = vulnerabilities.get(i);
            String where = "Results[" + index + "].Vulnerabilities[" + i + "]";
            if (!v.isObject()) {
                throw new ReportParseException(where + " is not an object");
            }
            String vulnId = required(v, "VulnerabilityID", where);
            String pkgName = required(v, "PkgName", where);
            Finding f = new Finding(vulnId, pkgName, text(v, "InstalledVersion"), text(v, "FixedVersion"),
                    Severity.parse(text(v, "Severity")), text(v, "Title"), text(v, "Description"), target,
                    text(v, "PkgPath"));
            if (seen.add(java.util.Arrays.asList(f.vulnId(), f.pkgName(), f.installedVersion(), f.pkgPath()))) {
                findings.add(f);
            }
        }
    }

    private static String required(JsonNode v, String field, String where) throws ReportParseException {
        String value = text(v, field);
        if (value == null || value.isBlank()) {
            throw new ReportParseException(where + " has no " + field);
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    /** {@code "alpine@sha256:…"} → {@code "sha256:…"}: the digest a registry serves the image under. */
    private static String repoDigest(JsonNode metadata) {
        JsonNode digests = metadata == null ? null : metadata.get("RepoDigests");
        if (digests == null || !digests.isArray() || digests.isEmpty() || !digests.get(0).isTextual()) {
            return null;
        }
        String first = digests.get(0).asText();
        int at = first.lastIndexOf('@');
        return Text.cut(at < 0 ? first : first.substring(at + 1), 200);
    }
}
