package io.nomadcamel.jobs.trivy;

/**
 * One vulnerability of one package, as one row of the vulnerabilities table. Trivy lists a CVE once per affected
 * package (CVE-2019-1549 in libcrypto1.1 and in libssl1.1 are two findings), and so do we.
 */
public record Finding(String vulnId, String pkgName, String installedVersion, String fixedVersion, Severity severity,
        String title, String description, String target, String pkgPath) {

    /** Column limits (characters); the description is cut to 1000 as the issue asks, the rest defensively. */
    static final int ID_MAX = 200;
    static final int TEXT_MAX = 1000;

    public Finding {
        vulnId = Text.cut(vulnId, ID_MAX);
        pkgName = Text.cut(pkgName, TEXT_MAX);
        installedVersion = Text.cut(installedVersion, TEXT_MAX);
        fixedVersion = Text.cut(fixedVersion, TEXT_MAX);
        title = Text.cut(title, TEXT_MAX);
        description = Text.cut(description, TEXT_MAX);
        target = Text.cut(target, TEXT_MAX);
        pkgPath = Text.cut(pkgPath, TEXT_MAX);
    }

    /**
     * What "the same finding" means between two scans of an image: the CVE in the package. Versions and targets are
     * left out on purpose: an OS point release renames the target ("alpine 3.9.4" → "3.9.5") and a partial upgrade
     * changes the version, yet the package still has the CVE, which is neither new nor fixed.
     */
    public Key key() {
        return new Key(vulnId, pkgName);
    }

    public record Key(String vulnId, String pkgName) {
    }
}
