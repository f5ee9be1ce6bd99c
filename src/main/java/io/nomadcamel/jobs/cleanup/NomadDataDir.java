package io.nomadcamel.jobs.cleanup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.nomadcamel.jobs.ssh.ShellQuoting;

/**
 * Makes sure the folder a node lists is a Nomad client's data dir, and the one of the node whose jobs were read,
 * before anything in it is judged. {@code data_dir} is any absolute path but "/", and everything in it that no
 * running job claims is deleted: a typo such as {@code /opt/nomad} (Nomad's binaries and configuration) must fail the
 * node, not clean it. And the jobs come from Nomad for a node id while the folder is reached by an address: if that
 * address leads to another client (a stale attribute, an address reused by another machine), its running jobs'
 * dirs would look orphaned. The host certificate does not catch this: it proves a trusted host, not which Nomad node.
 */
final class NomadDataDir {

    /** What a Nomad client always creates in its data dir (the alloc dir and the client's state dir). */
    static final List<String> REQUIRED_DIRS = List.of("alloc", "client");

    private NomadDataDir() {
    }

    /**
     * The file in which a Nomad client keeps the node id it registered with: {@code client-id} in its state dir,
     * which is {@code <data_dir>/client} unless the client sets {@code client.state_dir} (Nomad's client/client.go
     * and command/agent/agent.go). Nomad writes the bare id, no newline.
     */
    static Path clientIdFile(Path dataDir) {
        return dataDir.resolve("client").resolve("client-id");
    }

    static String clientIdCommand(Path dataDir) {
        return ShellQuoting.command("cat", "--", clientIdFile(dataDir).toString());
    }

    /**
     * Throws unless {@code clientId} (what the node's client-id file holds) is the id Nomad gave the node whose jobs
     * were read; the message names the node, its address, the file and both ids.
     */
    static void requireSameNode(NomadNodes.Node node, String address, Path dataDir, String clientId) {
        String found = clientId.strip();
        if (!found.equals(node.id())) {
            throw new IllegalStateException("node " + node.name() + " is not at " + address + ": "
                    + clientIdFile(dataDir) + " there holds node id '" + abbreviate(found) + "', but Nomad's node "
                    + node.name() + " has id " + node.id() + " (the address leads to another Nomad client, or "
                    + "data_dir is another client's); nothing is deleted for " + node.name());
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
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
