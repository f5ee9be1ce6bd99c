package io.nomadcamel.jobs.backup;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reading a run's input map: errors name the field and what it must be. */
final class Inputs {

    private Inputs() {
    }

    static void requireOnly(Map<String, Object> input, Set<String> fields) {
        for (String key : input.keySet()) {
            if (!fields.contains(key)) {
                throw new IllegalArgumentException("unknown input field '" + key + "' (fields: "
                        + new TreeSet<>(fields) + ")");
            }
        }
    }

    static int wholeNumber(Map<String, Object> input, String field, int defaultValue, int min, int max) {
        Object value = input.get(field);
        if (value == null) {
            return defaultValue;
        }
        Integer n = null;
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            long l = ((Number) value).longValue();
            n = l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (int) l : null;
        } else if (value instanceof Number number) {
            try {
                n = new BigDecimal(number.toString()).intValueExact();
            } catch (ArithmeticException | NumberFormatException notWhole) {
                n = null;
            }
        }
        if (n == null || n < min || n > max) {
            throw new IllegalArgumentException("input field " + field + " must be a whole number from " + min + " to "
                    + max + ", got " + (value instanceof String ? "'" + value + "'" : value));
        }
        return n;
    }

    static boolean bool(Map<String, Object> input, String field, boolean defaultValue) {
        Object value = input.get(field);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("input field " + field + " must be true or false, got "
                + (value instanceof String ? "'" + value + "'" : value));
    }
}
