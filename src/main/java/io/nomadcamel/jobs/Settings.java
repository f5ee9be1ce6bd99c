package io.nomadcamel.jobs;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Typed access to the application's settings. Every value comes from Camel's properties component, so an environment
 * variable ({@code DB_URL}) overrides the property ({@code db.url}) of {@code application.properties}. Errors name
 * both the key and the variable, because operators set either.
 */
public final class Settings {

    private final PropertiesComponent properties;

    public Settings(CamelContext context) {
        this(context.getPropertiesComponent());
    }

    public Settings(PropertiesComponent properties) {
        this.properties = properties;
    }

    /** The application's bound {@code settings} bean, else settings over the context's properties (a test's). */
    public static Settings of(CamelContext context) {
        Settings bound = context.getRegistry().lookupByNameAndType("settings", Settings.class);
        return bound != null ? bound : new Settings(context);
    }

    /**
     * Where Camel Main reads properties: an operator's file, then the application home's application.properties.
     * Camel takes a key from the first location that has it, so the operator's file comes first.
     */
    public static String placeholderLocations(java.nio.file.Path home, String configFile) {
        String locations = "file:" + home.resolve("application.properties");
        if (configFile != null && !configFile.isBlank()) {
            locations = "file:" + configFile.trim() + "," + locations;
        }
        return locations;
    }

    /** The environment variable that overrides a key: {@code db.url} → {@code DB_URL}. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public Optional<String> optional(String key) {
        return properties.resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String string(String key, String defaultValue) {
        return optional(key).orElse(defaultValue);
    }

    /** A setting without which the caller cannot work; the message names what to set. */
    public String required(String key) {
        return optional(key).orElseThrow(() -> new InvalidSettingException(
                "Missing setting " + key + " (environment variable " + envName(key) + ")"));
    }

    public int integer(String key, int defaultValue) {
        Optional<String> value = optional(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.get());
        } catch (NumberFormatException e) {
            throw invalid(key, value.get(), "a whole number");
        }
    }

    public int port(String key, int defaultValue) {
        int port = integer(key, defaultValue);
        if (port < 1 || port > 65535) {
            throw invalid(key, String.valueOf(port), "a port number from 1 to 65535");
        }
        return port;
    }

    public boolean bool(String key, boolean defaultValue) {
        Optional<String> value = optional(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw invalid(key, value.get(), "true or false");
        };
    }

    public Duration duration(String key, Duration defaultValue) {
        Optional<String> value = optional(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Durations.parse(value.get());
        } catch (IllegalArgumentException e) {
            throw invalid(key, value.get(), "a duration such as 90s, 10m, 3h, 1d or PT10M");
        }
    }

    private static InvalidSettingException invalid(String key, String value, String expected) {
        return new InvalidSettingException("Setting " + key + " (environment variable " + envName(key) + ") must be "
                + expected + ", got '" + value + "'");
    }

    /** A setting is missing or malformed; the message names it. */
    public static final class InvalidSettingException extends IllegalArgumentException {
        public InvalidSettingException(String message) {
            super(message);
        }
    }
}
