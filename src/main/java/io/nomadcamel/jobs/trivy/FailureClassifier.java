package io.nomadcamel.jobs.trivy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Tells from a failed Trivy run's stderr whether trying again can help (design §5): the image is missing
 * ({@code manifest unknown}, {@code not found}) → permanent {@code pull_failed}; the server or registry did not
 * answer (connection refused, timeout, connection reset) → transient, retried; anything else → {@code error}.
 * <p>
 * Trivy tries several image sources and lists every source's error ({@code * docker error: …},
 * {@code * containerd error: containerd socket not found}, {@code * remote error: GET …: MANIFEST_UNKNOWN}). Only
 * the registry's ("remote") answer says anything about the image: a bare "not found" from the containerd line is in
 * every such message, whatever the registry said. So when the remote item is there, it alone is classified. In
 * client/server mode the client pulls the image itself, so a Trivy server error ({@code twirp error …}) is never a
 * pull failure: it is transient (refused, reset, timeout) or an {@code error}.
 */
public final class FailureClassifier {

    public enum Kind { TRANSIENT, PULL_FAILED, ERROR }

    private static final List<String> TRANSIENT = List.of("connection refused", "connection reset", "timeout",
            "timed out", "deadline exceeded", "toomanyrequests", "service unavailable", "bad gateway");
    private static final List<String> PERMANENT = List.of("manifest unknown", "manifest_unknown", "not found",
            "name_unknown", "name unknown", "no such image", "unable to find the specified image", "unauthorized",
            "denied");
    /** A multi-error item from the registry: "* remote error: …", or in older Trivy "* GET https://…". */
    private static final Pattern REMOTE_ITEM = Pattern.compile(
            "^\\s*\\*\\s*(remote error:.*|(GET|HEAD|POST) https?://.*)$", Pattern.CASE_INSENSITIVE);
    /** Trivy's log lines that are not the error: "2024-…Z\tINFO\t…". */
    private static final Pattern CHATTER = Pattern.compile("^\\S+\\s+(DEBUG|INFO|WARN)\\s.*$");

    private FailureClassifier() {
    }

    public static Kind classify(String stderr) {
        return classify(stderr, null);
    }

    /**
     * As {@link #classify(String)}, for the scan of {@code image}: names are not words. An image, repository or URL
     * with "timeout" or "not-found" in it ({@code ops/timeout-exporter}) says nothing about what went wrong, so the
     * image's name, URLs and quoted strings are taken out before the markers are looked for.
     */
    public static Kind classify(String stderr, String image) {
        String all = stderr == null ? "" : stderr.toLowerCase(Locale.ROOT);
        String remote = remoteItems(all);
        String relevant = withoutNames(remote == null ? all : remote, image);
        all = withoutNames(all, image);
        if (containsAny(relevant, TRANSIENT)) {
            return Kind.TRANSIENT;
        }
        if (remote == null && all.contains("twirp error")) {
            // the Trivy server's own answer ("bad_route … 404 Not Found" for a wrong URL): not about the image
            return Kind.ERROR;
        }
        return containsAny(relevant, PERMANENT) ? Kind.PULL_FAILED : Kind.ERROR;
    }

    /** The error as an operator wants to read it: Trivy's INFO/WARN chatter dropped, whitespace kept readable. */
    public static String message(String stderr, int exitCode) {
        List<String> kept = new ArrayList<>();
        for (String line : (stderr == null ? "" : stderr).split("\n")) {
            if (!line.isBlank() && !CHATTER.matcher(line).matches()) {
                kept.add(line.strip());
            }
        }
        String text = String.join("\n", kept);
        return text.isEmpty() ? "trivy exited with " + exitCode + " and printed no error" : text;
    }

    private static final Pattern URL = Pattern.compile("\\b(https?|unix)://\\S+");
    private static final Pattern QUOTED = Pattern.compile("\"[^\"\\n]*\"");

    private static String withoutNames(String lowerText, String image) {
        String text = lowerText;
        if (image != null && !image.isBlank()) {
            String name = image.toLowerCase(Locale.ROOT);
            text = text.replace(name, "<image>");
            // the repository alone, as registries and Trivy print it in paths and messages ("demo/app")
            String repository = name.replaceFirst("[@:][^/]*$", "");
            int slash = repository.indexOf('/');
            if (slash > 0 && repository.substring(0, slash).matches(".*[.:].*|localhost")) {
                repository = repository.substring(slash + 1); // without its registry host
            }
            if (!repository.isEmpty()) {
                text = text.replace(repository, "<repository>");
            }
        }
        text = URL.matcher(text).replaceAll("<url>");
        return QUOTED.matcher(text).replaceAll("<quoted>");
    }

    private static String remoteItems(String lowerStderr) {
        StringBuilder items = new StringBuilder();
        for (String line : lowerStderr.split("\n")) {
            if (REMOTE_ITEM.matcher(line).matches()) {
                items.append(line).append('\n');
            }
        }
        return items.length() == 0 ? null : items.toString();
    }

    private static boolean containsAny(String text, List<String> markers) {
        return markers.stream().anyMatch(text::contains);
    }
}
