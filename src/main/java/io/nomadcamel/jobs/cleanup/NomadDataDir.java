package io.nomadcamel.jobs.cleanup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes sure the folder a node lists is a Nomad client's data dir before anything in it is judged. {@code data_dir}
 * is any absolute path but "/", and everything in it that no running job claims is deleted: a typo such as
 * {@code /opt/nomad} (Nomad's binaries and configuration) must fail the node, not clean it.
 */
final class NomadDataDir {

    /** What a Nomad client always creates in its data dir (the alloc dir and the client's state dir). */
    static final List<String> REQUIRED_DIRS = List.of("alloc", "client");

    private NomadDataDir() {
    }

    /**
     * Throws, naming the node, data_dir and what is missing, unless the listing holds {@code alloc} and
     * {@code client} as directories. A symlink does not count: Nomad creates real directories there.
     */
    static void requireNomadDirs(String nodeName, Path dataDir, List<DirEntry> entries) {
        List<String> problems = new ArrayList<>();
        for (String required : REQUIRED_DIRS) {
            DirEntry found = entries.stream().filter(e -> e.name().equals(required)).findFirst().orElse(null);
            if (found == null) {
                problems.add("no " + required + " directory");
            } else if (found.type() != 'd') {
                problems.add(required + " is not a directory (find type '" + found.type() + "')");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("data_dir " + dataDir + " on node " + nodeName
                    + " does not look like a Nomad client's data dir: " + String.join(" and ", problems)
                    + " (a Nomad client keeps " + String.join(" and ", REQUIRED_DIRS) + " there); check data_dir,"
                    + " nothing is deleted on " + nodeName);
        }
    }
}
