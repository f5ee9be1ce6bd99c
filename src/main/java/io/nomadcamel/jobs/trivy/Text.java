package io.nomadcamel.jobs.trivy;

/** Text as PostgreSQL can store it: no NUL characters, and cut to a column's length without splitting a character. */
final class Text {

    private Text() {
    }

    static String cut(String text, int maxChars) {
        if (text == null) {
            return null;
        }
        String clean = text.indexOf('\0') < 0 ? text : text.replace("\0", "");
        if (clean.length() <= maxChars) {
            return clean;
        }
        int end = maxChars;
        if (Character.isHighSurrogate(clean.charAt(end - 1))) {
            end--; // keep the pair whole
        }
        return clean.substring(0, end);
    }
}
