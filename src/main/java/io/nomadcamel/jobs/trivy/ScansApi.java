package io.nomadcamel.jobs.trivy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import io.nomadcamel.jobs.scheduler.api.ApiResponse;

/**
 * {@code GET /api/scans} and {@code GET /api/scans/{image}} as plain Java (design §4): the latest scan per image with
 * its counts and what changed, and one image's vulnerabilities with the new and fixed ones.
 */
public final class ScansApi {

    private final ScanQueries queries;

    public ScansApi(DataSource dataSource) {
        this.queries = new ScanQueries(dataSource);
    }

    /**
     * Every scanned image's latest scan; when it failed, {@code last_success} tells what the last successful one found.
     * With {@code vulnerability}, only the images whose latest successful scan has it.
     */
    public ApiResponse list(String vulnerability) throws Exception {
        List<StoredScan> latest = queries.latestPerImage();
        Map<String, StoredScan> lastOk = queries.latestOkPerImage();
        java.util.Set<String> only = null;
        if (vulnerability != null && !vulnerability.isBlank()) {
            only = new java.util.HashSet<>(queries.imagesAffectedBy(vulnerability.trim()));
        }
        List<Object> out = new ArrayList<>();
        for (StoredScan scan : latest) {
            if (only == null || only.contains(scan.image())) {
                out.add(withLastOk(scan, lastOk.get(scan.image())));
            }
        }
        return ApiResponse.ok(out);
    }

    /**
     * One image: its latest scan, the vulnerabilities of its latest successful scan, and the findings that scan
     * added ({@code new}) and no longer has ({@code fixed}) compared with the successful scan before it.
     */
    public ApiResponse image(String image) throws Exception {
        if (image == null || image.isBlank()) {
            throw new ApiResponse.Failure(404, "no image named: use /api/scans/<image>");
        }
        StoredScan latest = queries.latest(image, false).orElseThrow(() -> new ApiResponse.Failure(404,
                "no scan of image '" + image + "'"));
        Optional<StoredScan> ok = latest.ok() ? Optional.of(latest) : queries.latest(image, true);
        Map<String, Object> body = withLastOk(latest, ok.orElse(null));
        body.put("vulnerabilities_scan_id", ok.map(StoredScan::id).orElse(null));
        List<Object> vulnerabilities = new ArrayList<>();
        List<Object> added = new ArrayList<>();
        List<Object> fixed = new ArrayList<>();
        if (ok.isPresent()) {
            for (Finding f : queries.findings(ok.get().id())) {
                vulnerabilities.add(full(f));
            }
            Optional<FindingDiff> diff = queries.diff(ok.get());
            diff.ifPresent(d -> {
                d.added().forEach(f -> added.add(full(f)));
                d.fixed().forEach(f -> fixed.add(full(f)));
            });
            body.put("compared_with_scan_id", diff.isPresent() ? ok.get().previousScanId() : null);
        }
        body.put("vulnerabilities", vulnerabilities);
        body.put("new", added);
        body.put("fixed", fixed);
        return ApiResponse.ok(body);
    }

    private static Map<String, Object> withLastOk(StoredScan scan, StoredScan lastOk) {
        Map<String, Object> j = scan.toJson();
        if (!scan.ok() && lastOk != null) {
            Map<String, Object> ok = new LinkedHashMap<>();
            ok.put("scan_id", lastOk.id());
            ok.put("scanned_at", lastOk.scannedAt().toString());
            ok.put("counts", lastOk.counts().toMap());
            j.put("last_success", ok);
        }
        return j;
    }

    private static Map<String, Object> full(Finding f) {
        Map<String, Object> j = ScanResult.finding(null, f);
        j.put("description", f.description());
        j.put("target", f.target());
        j.put("pkg_path", f.pkgPath());
        return j;
    }
}
