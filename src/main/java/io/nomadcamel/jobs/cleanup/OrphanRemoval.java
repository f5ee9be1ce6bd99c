package io.nomadcamel.jobs.cleanup;

import java.nio.file.Path;

import io.nomadcamel.jobs.ssh.ShellQuoting;

/**
 * The remote command that deletes one orphan. The path is one single-quoted word (no character of a name can end the
 * quoting), {@code --} ends rm's options (a name may start with '-'), and the node checks once more that the entry is
 * still what the listing saw: a directory swapped for a symlink in between is refused, not followed.
 * {@code --one-file-system} keeps rm out of anything mounted below the orphan.
 */
public final class OrphanRemoval {

    /** How the node answered. */
    public enum Outcome {
        DELETED, GONE
    }

    private OrphanRemoval() {
    }

    public static String command(Path dataDir, DirEntry entry) {
        String path = ShellQuoting.quote(dataDir.resolve(entry.name()).toString());
        String expected = entry.symlink() ? "link" : "entry";
        return "p=" + path + "\n"
                + "if [ -L \"$p\" ]; then now=link; elif [ -e \"$p\" ]; then now=entry; else echo gone; exit 0; fi\n"
                + "if [ \"$now\" != " + expected + " ]; then echo \"changed since the listing: it is now a $now\" >&2; "
                + "exit 3; fi\n"
                + "rm -rf --one-file-system -- \"$p\" && echo deleted";
    }

    /** Reads the command's output (the node's stdout, pid line removed). */
    public static Outcome outcome(String stdout) {
        return switch (stdout.strip()) {
            case "deleted" -> Outcome.DELETED;
            case "gone" -> Outcome.GONE;
            default -> throw new IllegalStateException("unexpected answer to a delete: '" + stdout.strip() + "'");
        };
    }
}
