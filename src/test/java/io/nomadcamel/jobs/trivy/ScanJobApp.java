package io.nomadcamel.jobs.trivy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.PostgresServer;

/** The application under test seen from a trivy-scan test: trigger runs of one job, read the API and the tables. */
final class ScanJobApp implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final AppProcess app;
    private final PostgresServer pg;
    private final String database;
    private final String job;
    private final String token;

    ScanJobApp(AppProcess app, PostgresServer pg, String database, String job, String token) {
        this.app = app;
        this.pg = pg;
        this.database = database;
        this.job = job;
        this.token = token;
    }

    @Override
    public void close() {
        app.close();
    }

    long trigger(String input) throws Exception {
        HttpResponse<String> r = app.api("POST", "/api/jobs/" + job + "/runs", input, token);
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("run_id").asLong();
    }

    JsonNode awaitEnd(long runId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (true) {
            JsonNode run = get("/api/runs/" + runId);
            String state = run.path("state").asText();
            if (!state.equals("PENDING") && !state.equals("RUNNING")) {
                return run;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + runId + " did not end: " + run + "\n" + app.output());
            }
            Thread.sleep(100);
        }
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = AppProcess.get(app.url(path));
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    Map<String, JsonNode> listed(String prefix) throws Exception {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode item : get("/api/scans")) {
            if (item.path("image").asText().startsWith(prefix)) {
                out.put(item.path("image").asText(), item);
            }
        }
        return out;
    }

    static List<String> names(JsonNode list, String prefix) {
        List<String> out = new ArrayList<>();
        list.forEach(i -> {
            if (i.path("image").asText().startsWith(prefix)) {
                out.add(i.path("image").asText());
            }
        });
        return out;
    }

    static List<String> describe(JsonNode findings) {
        List<String> out = new ArrayList<>();
        findings.forEach(f -> out.add(f.path("vuln_id").asText() + " " + f.path("pkg_name").asText() + " "
                + f.path("severity").asText()));
        return out;
    }

    double metric(String name, String status) {
        String text = AppProcess.get(app.managementUrl("/observe/metrics")).body();
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*status=\"" + status + "\"[^}]*\\} (\\S+)$")
                .matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0.0;
    }

    record ScanRow(long id, String image, String status, int attempts, String error, String counts) {
    }

    List<ScanRow> scans(long runId) throws Exception {
        List<ScanRow> rows = new ArrayList<>();
        try (Connection c = pg.connect(database); PreparedStatement ps = c.prepareStatement("SELECT id, image, "
                + "status, attempts, error, critical, high, medium, low FROM scans WHERE run_id = ? ORDER BY image")) {
            ps.setLong(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String counts = rs.getObject(6) == null ? null
                            : rs.getInt(6) + "/" + rs.getInt(7) + "/" + rs.getInt(8) + "/" + rs.getInt(9);
                    rows.add(new ScanRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            rs.getString(5), counts));
                }
            }
        }
        return rows;
    }

    List<String> findings(long scanId) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = pg.connect(database); PreparedStatement ps = c.prepareStatement(
                "SELECT vuln_id, pkg_name, severity FROM vulnerabilities WHERE scan_id = ?")) {
            ps.setLong(1, scanId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
                }
            }
        }
        return out;
    }
}
