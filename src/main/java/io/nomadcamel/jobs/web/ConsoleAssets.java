package io.nomadcamel.jobs.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The console's static files, read from the classpath folder {@code web/}. Only plain file names of known types are
 * served: no folder, no dot file, no "..", so a request cannot reach anything but the console's own files.
 */
public final class ConsoleAssets {

    /** One file of the console: its bytes and the Content-Type to answer with. */
    public record Asset(String name, byte[] bytes, String contentType) {
    }

    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*(\\.[A-Za-z0-9]+)+");

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");

    private final String folder;
    // the files never change while the application runs; an absent file is not cached (it stays absent)
    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    public ConsoleAssets() {
        this("web");
    }

    ConsoleAssets(String folder) {
        this.folder = folder;
    }

    /** The file named {@code name}, or empty when the name is not a plain file name of a known type or is absent. */
    public Optional<Asset> find(String name) {
        if (name == null || !PLAIN_NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT));
        if (type == null) {
            return Optional.empty();
        }
        Asset cached = cache.get(name);
        if (cached != null) {
            return Optional.of(cached);
        }
        try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(folder + "/" + name)) {
            if (in == null) {
                return Optional.empty();
            }
            Asset asset = new Asset(name, in.readAllBytes(), type);
            cache.put(name, asset);
            return Optional.of(asset);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console file " + name, e);
        }
    }
}
