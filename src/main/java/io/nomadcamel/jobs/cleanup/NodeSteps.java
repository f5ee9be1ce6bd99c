package io.nomadcamel.jobs.cleanup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.nomadcamel.jobs.cleanup.EntryRules.Decision;
import io.nomadcamel.jobs.cleanup.EntryRules.Verdict;
import io.nomadcamel.jobs.ssh.CommandFailedException;
import io.nomadcamel.jobs.ssh.CommandResult;
import io.nomadcamel.jobs.ssh.RemoteCommandException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of one node's clean-up, in the order routes/node-cleanup.camel.yaml calls them (route node-cleanup-node).
 * Each takes the node's {@link NodeCleanup} and adds to it; an exception ends the node (not the run) as failed. A
 * node whose running jobs cannot be read fails before anything is listed: "nothing runs here" is never assumed.
 */
public class NodeSteps {

    private static final Logger LOG = LoggerFactory.getLogger(NodeSteps.class);

    /** The SSH address: attribute unique.network.ip-address, else the host of HTTPAddr. */
    public void findAddress(NodeCleanup node) {
        NomadNodes.Address address = node.job().nomad().address(node.node());
        node.address(address.host());
        LOG.debug("node {} is reached at {} (from its {})", node.name(), address.host(), address.source());
    }

    /**
     * The jobs active on the node (an allocation running, pending or unknown), from the central Nomad API; failing to
     * read them fails the node. (The method keeps its name: operators' copies of the route call it.)
     */
    public void readRunningJobs(NodeCleanup node) {
        try {
            node.activeJobs(node.job().nomad().activeJobs(node.node()));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read the running jobs of node " + node.name()
                    + ", so nothing is deleted there: " + e.getMessage(), e);
        }
    }

    /** Opens the SSH session all the node's commands use (user certificate, host certificate checked). */
    public void connect(NodeCleanup node) {
        node.job().run().checkNotStopped();
        node.session(node.job().shell().connect(node.address()));
    }

    /**
     * Lists the data dir's entries with their mtimes and the node's clock, and refuses to go on unless it is a Nomad
     * client's data dir (alloc and client in it) and that client is the node whose jobs were read (its client-id
     * file holds the node's id): the listing is only kept once both hold.
     */
    public void listDataDir(NodeCleanup node) {
        Path dataDir = node.job().input().dataDir();
        CommandResult listed = node.session().run(DataDirListing.command(dataDir));
        if (listed.truncated()) {
            throw new IllegalStateException("the listing of " + dataDir + " on " + node.name()
                    + " was too long to read whole");
        }
        DataDirListing.Listing listing = DataDirListing.parse(listed.stdout());
        NomadDataDir.requireNomadDirs(node.name(), dataDir, listing.entries());
        String clientId;
        try {
            clientId = node.session().run(NomadDataDir.clientIdCommand(dataDir)).stdout();
        } catch (CommandFailedException e) {
            throw new IllegalStateException("cannot read " + NomadDataDir.clientIdFile(dataDir) + " on node "
                    + node.name() + " (" + node.address() + "), where the Nomad client keeps its node id, so it "
                    + "cannot be told apart from another node; nothing is deleted there: "
                    + e.stderr().strip(), e);
        }
        NomadDataDir.requireSameNode(node.node(), node.address(), dataDir, clientId);
        node.listing(listing);
    }

    /** Decides each entry's fate in Java, from the listing, the running jobs and the grace period. */
    public void classifyEntries(NodeCleanup node) {
        if (node.listing() == null) {
            // only listDataDir sets it, after checking the folder is Nomad's: never classify an unchecked folder
            throw new IllegalStateException("node " + node.name() + " has no checked listing of its data dir: the "
                    + "list step did not run");
        }
        CleanupInput input = node.job().input();
        EntryRules rules = new EntryRules(input.dataDir(), input.graceDays(), node.activeJobs());
        List<Decision> decisions = new ArrayList<>();
        for (DirEntry entry : node.listing().entries()) {
            Decision d = rules.decide(entry, node.listing().nodeNowSeconds());
            decisions.add(d);
            if (d.verdict() == Verdict.REFUSED) {
                node.refused(entry.name(), d.reason());
            }
        }
        node.decisions(decisions);
    }

    /**
     * Deletes the orphans one by one (each its own command, the name one quoted word), or in a dry run only lists
     * them. A live run first reads the node's active jobs again and keeps what became active. A failed delete is
     * recorded and the next orphan is still tried.
     */
    public void removeOrphans(NodeCleanup node) {
        CleanupInput input = node.job().input();
        List<Decision> orphans = node.decisions().stream().filter(d -> d.verdict() == Verdict.ORPHAN).toList();
        if (input.dryRun()) {
            orphans.forEach(orphan -> node.wouldDelete(orphan.entry().name()));
            return;
        }
        if (orphans.isEmpty()) {
            return;
        }
        for (Decision orphan : withoutNewlyActive(node, orphans)) {
            String name = orphan.entry().name();
            node.job().run().checkNotStopped();
            try {
                CommandResult r = node.session().run(OrphanRemoval.command(input.dataDir(), orphan.entry()));
                OrphanRemoval.Answer answer = OrphanRemoval.answer(r.stdout(), input.dataDir().resolve(name));
                if (answer.outcome() == OrphanRemoval.Outcome.DELETED) {
                    node.deleted(name);
                    LOG.info("node-cleanup deleted {} on {}", input.dataDir().resolve(name), node.name());
                } else if (answer.outcome() == OrphanRemoval.Outcome.REFUSED) {
                    node.redecide(orphan, Verdict.REFUSED, answer.refusal());
                    LOG.warn("node-cleanup left {} on {}: {}", input.dataDir().resolve(name), node.name(),
                            answer.refusal());
                }
            } catch (RemoteCommandException | IllegalStateException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                node.error("could not delete " + input.dataDir().resolve(name) + " on node " + node.name() + ": "
                        + e.getMessage());
            }
        }
    }

    /**
     * Reads the node's active jobs again, right before the deletes: a job placed on the node since the first read
     * (before connecting, listing and classifying) may already use a dir the listing found old, e.g. a long-stopped
     * job deployed again. Its orphans are kept as active.
     * If Nomad cannot answer now, nothing is deleted on the node, as when the first read fails.
     */
    private static List<Decision> withoutNewlyActive(NodeCleanup node, List<Decision> orphans) {
        node.job().run().checkNotStopped();
        Set<String> now;
        try {
            now = node.job().nomad().activeJobs(node.node());
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot re-read the running jobs of node " + node.name() + " right before "
                    + "deleting, so nothing is deleted there: " + e.getMessage(), e);
        }
        Set<String> active = new TreeSet<>(node.activeJobs());
        active.addAll(now);
        node.activeJobs(active);
        CleanupInput input = node.job().input();
        EntryRules rules = new EntryRules(input.dataDir(), input.graceDays(), active);
        List<Decision> left = new ArrayList<>();
        for (Decision orphan : orphans) {
            if (rules.active(orphan.entry().name())) {
                node.redecide(orphan, Verdict.KEPT_ACTIVE, null);
                LOG.info("node-cleanup keeps {} on {}: its job became active after the listing",
                        input.dataDir().resolve(orphan.entry().name()), node.name());
            } else {
                left.add(orphan);
            }
        }
        return left;
    }

    /** docker system prune -af (dry run: docker system df), when the input asks for it. */
    public void pruneDocker(NodeCleanup node) {
        CleanupInput input = node.job().input();
        if (!input.dockerPrune()) {
            return;
        }
        node.job().run().checkNotStopped();
        String docker = node.job().dockerBin();
        if (input.dryRun()) {
            CommandResult df = node.session().run(DockerPrune.dfCommand(docker));
            node.dockerSpaceReclaimable(DockerPrune.reclaimableBytes(df.stdout()));
        } else {
            CommandResult prune = node.session().run(DockerPrune.pruneCommand(docker));
            node.dockerSpaceFreed(DockerPrune.reclaimedBytes(prune.stdout()));
        }
    }
}
