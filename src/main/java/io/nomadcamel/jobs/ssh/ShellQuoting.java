package io.nomadcamel.jobs.ssh;

import java.util.ArrayList;
import java.util.List;

/**
 * Quotes data for the remote user's POSIX shell (sshd runs every command through it), so that file and job names
 * arrive as literal arguments whatever they contain: spaces, quotes, {@code $(...)}, backticks, {@code ;}, globs,
 * newlines, unicode. Inside single quotes a POSIX shell interprets nothing, so the only character needing care is the
 * single quote itself, written as {@code '\''} (close, escaped quote, reopen).
 *
 * <p>Quoting stops the shell, not the program: a name starting with {@code -} is still an option to most commands, so
 * put {@code --} before names.
 */
public final class ShellQuoting {

    private ShellQuoting() {
    }

    /** One argument, single-quoted. NUL cannot be part of any argument on Unix, so it is refused, never dropped. */
    public static String quote(String argument) {
        if (argument.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an argument cannot contain a NUL character");
        }
        return "'" + argument.replace("'", "'\\''") + "'";
    }

    /** A command line of words, each quoted: {@code command("rm", "-rf", "--", name)}. */
    public static String command(String... words) {
        return command(List.of(words));
    }

    public static String command(List<String> words) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("no command");
        }
        List<String> quoted = new ArrayList<>(words.size());
        for (String word : words) {
            quoted.add(quote(word));
        }
        return String.join(" ", quoted);
    }
}
