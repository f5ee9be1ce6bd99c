package io.nomadcamel.jobs.registrygc;

import java.util.Locale;

/**
 * Sizes written as the original Go worker wrote them (go-humanize's IBytes without the space): {@code 512B},
 * {@code 2.0KiB}, {@code 150MiB}: one decimal below 10 units, none from 10 up, rounded half up.
 */
public final class ByteSizes {

    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private ByteSizes() {
    }

    public static String iec(long bytes) {
        if (bytes < 0) {
            return "-" + iec(bytes == Long.MIN_VALUE ? Long.MAX_VALUE : -bytes);
        }
        if (bytes < 10) {
            return bytes + "B";
        }
        int exponent = (int) Math.floor(Math.log(bytes) / Math.log(1024));
        exponent = Math.min(exponent, UNITS.length - 1);
        double value = Math.floor(bytes / Math.pow(1024, exponent) * 10 + 0.5) / 10;
        String format = value < 10 ? "%.1f%s" : "%.0f%s";
        return String.format(Locale.ROOT, format, value, UNITS[exponent]);
    }
}
