package io.nomadcamel.jobs.cleanup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.nomadcamel.jobs.ssh.ShellQuoting;

/**
 * Lists a data dir over SSH in a form no file name can confuse: the node's clock, then per entry four NUL-terminated
 * fields (mtime, type, symlink target, name). NUL is the one byte a name cannot hold, so spaces, quotes, newlines and
 * anything else arrive intact. Needs GNU find (-printf), as on every Debian or Ubuntu Nomad client.
 */
public final class DataDirListing {

    private DataDirListing() {
    }

    /** What the node lists: its own time (ages are measured on its clock) and the direct children of the dir. */
    public record Listing(double nodeNowSeconds, List<DirEntry> entries) {
    }

    /**
     * The remote command. {@code -H} follows the data dir itself if it is a symlink (/opt/nomad/data →
     * /srv/nomad), never an entry inside; {@code %T@} of a symlink is the link's own mtime.
     */
    public static String command(Path dataDir) {
        return "printf '%s\\0' \"$(date +%s.%N)\" && find -H " + ShellQuoting.quote(dataDir.toString())
                + " -mindepth 1 -maxdepth 1 -printf '%T@\\0%y\\0%l\\0%f\\0'";
    }

    /** Parses the command's output; anything malformed is an error (a listing must never be half-understood). */
    public static Listing parse(String output) {
        String[] fields = output.split("\0", -1);
        // a well-formed output ends with NUL, leaving one empty string after the last field
        if (fields.length < 2 || !fields[fields.length - 1].isEmpty() || (fields.length - 2) % 4 != 0) {
            throw new IllegalStateException("unexpected data dir listing (" + output.length() + " characters, "
                    + (fields.length - 1) + " fields)");
        }
        double now = number(fields[0], "the node's clock");
        List<DirEntry> entries = new ArrayList<>((fields.length - 2) / 4);
        for (int i = 1; i + 3 < fields.length; i += 4) {
            String name = fields[i + 3];
            if (fields[i + 1].length() != 1) {
                throw new IllegalStateException("unexpected entry type '" + fields[i + 1] + "' for " + name);
            }
            entries.add(new DirEntry(name, fields[i + 1].charAt(0), number(fields[i], "the mtime of " + name),
                    fields[i + 2]));
        }
        return new Listing(now, entries);
    }

    private static double number(String text, String what) {
        try {
            return Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("unexpected value for " + what + ": '" + text + "'");
        }
    }
}
