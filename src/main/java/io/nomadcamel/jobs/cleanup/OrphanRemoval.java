package io.nomadcamel.jobs.cleanup;

import java.nio.file.Path;

import io.nomadcamel.jobs.ssh.ShellQuoting;

/**
 * The remote command that deletes one orphan. The paths are single-quoted words (no character of a name can end the
 * quoting), {@code --} ends every program's options (a name may start with '-'), and the node checks once more that
 * the entry is still what the listing saw: a directory swapped for a symlink in between is refused, not followed.
 *
 * <p>An entry that is a mount point is refused, never deleted: {@code rm -rf --one-file-system} stays on the file
 * system of its argument, and for a mount point that is the mounted one, so it would empty it (a leftover tmpfs, a
 * host volume, a bind mount of data that lives elsewhere). The node checks this right before the rm, in the same
 * command: the entry's device must be the data dir's ({@code stat -c %d}) and {@code mountpoint -q} must say no (a
 * bind mount from the same file system has the same device). {@code --one-file-system} still keeps rm out of anything
 * mounted further below. A symlink skips these checks: rm removes the link itself, never what it points to.
 */
public final class OrphanRemoval {

    /** How the node answered. */
    public enum Outcome {
        DELETED, GONE, REFUSED
    }

    /** The outcome and, for a refusal, why (naming the path). */
    public record Answer(Outcome outcome, String refusal) {
    }

    /**
     * mountpoint(1)'s "not a mount point" (util-linux; 0 is a mount point, 1 an error). Older util-linux exited 1 for
     * both; there every delete is stopped with an error rather than guessed at.
     */
    static final int NOT_A_MOUNT_POINT = 32;

    private OrphanRemoval() {
    }

    public static String command(Path dataDir, DirEntry entry) {
        String path = ShellQuoting.quote(dataDir.resolve(entry.name()).toString());
        String expected = entry.symlink() ? "link" : "entry";
        StringBuilder c = new StringBuilder()
                .append("d=").append(ShellQuoting.quote(dataDir.toString())).append('\n')
                .append("p=").append(path).append('\n')
                .append("if [ -L \"$p\" ]; then now=link; elif [ -e \"$p\" ]; then now=entry; else echo gone; exit 0; ")
                .append("fi\n")
                .append("if [ \"$now\" != ").append(expected).append(" ]; then echo \"changed since the listing: it ")
                .append("is now a $now\" >&2; exit 3; fi\n");
        if (!entry.symlink()) {
            // -L on the data dir only: it may itself be a symlink (/opt/nomad/data -> /srv/nomad), as find -H allows
            c.append("dd=$(stat -L -c %d -- \"$d\") && pd=$(stat -c %d -- \"$p\") || exit 4\n")
                    .append("if [ \"$pd\" != \"$dd\" ]; then echo \"other-filesystem $pd $dd\"; exit 0; fi\n")
                    .append("mountpoint -q -- \"$p\"; m=$?\n")
                    .append("if [ $m -eq 0 ]; then echo mount-point; exit 0; fi\n")
                    // anything but "not a mount point" (an error, mountpoint missing, an old one exiting 1) stops
                    .append("if [ $m -ne ").append(NOT_A_MOUNT_POINT).append(" ]; then echo \"cannot tell whether it ")
                    .append("is a mount point: mountpoint exited $m\" >&2; exit 4; fi\n");
        }
        return c.append("rm -rf --one-file-system -- \"$p\" && echo deleted").toString();
    }

    /** Reads the command's output (the node's stdout, pid line removed); {@code path} is what it was asked about. */
    public static Answer answer(String stdout, Path path) {
        String said = stdout.strip();
        if (said.equals("deleted")) {
            return new Answer(Outcome.DELETED, null);
        }
        if (said.equals("gone")) {
            return new Answer(Outcome.GONE, null);
        }
        if (said.equals("mount-point")) {
            return new Answer(Outcome.REFUSED, path + " is a mount point: deleting it would empty the file system "
                    + "mounted there");
        }
        String[] words = said.split(" ");
        if (words.length == 3 && words[0].equals("other-filesystem")) {
            return new Answer(Outcome.REFUSED, path + " is on another file system (device " + words[1] + ") than "
                    + path.getParent() + " (device " + words[2] + "): deleting it would empty that file system");
        }
        throw new IllegalStateException("unexpected answer to the delete of " + path + ": '" + said + "'");
    }
}
