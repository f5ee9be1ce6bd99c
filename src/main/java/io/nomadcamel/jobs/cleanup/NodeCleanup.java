package io.nomadcamel.jobs.cleanup;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.nomadcamel.jobs.cleanup.EntryRules.Decision;
import io.nomadcamel.jobs.cleanup.EntryRules.Verdict;
import io.nomadcamel.jobs.ssh.RemoteSession;

/**
 * One node's clean-up: the state its route steps pass along and the result it reports. Touched by one thread at a
 * time (its worker), read by the run's thread once the worker is done.
 */
public final class NodeCleanup {

    private final CleanupRun job;
    private final NomadNodes.Node node;
    private String address;
    private Set<String> activeJobs;
    private RemoteSession session;
    private DataDirListing.Listing listing;
    private List<Decision> decisions = List.of();
    private final List<String> wouldDelete = new ArrayList<>();
    private final List<String> deleted = new ArrayList<>();
    private final List<Map<String, String>> refused = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private Long dockerSpaceFreed;
    private Long dockerSpaceReclaimable;
    private boolean done;

    NodeCleanup(CleanupRun job, NomadNodes.Node node) {
        this.job = job;
        this.node = node;
    }

    public CleanupRun job() {
        return job;
    }

    public NomadNodes.Node node() {
        return node;
    }

    public String name() {
        return node.name();
    }

    String address() {
        return address;
    }

    void address(String a) {
        this.address = a;
    }

    /** Ids of the jobs with an active (running, pending or unknown) allocation on the node. */
    Set<String> activeJobs() {
        return activeJobs;
    }

    void activeJobs(Set<String> jobs) {
        this.activeJobs = jobs;
    }

    RemoteSession session() {
        if (session == null) {
            throw new IllegalStateException("node " + name() + " has no SSH session: the connect step did not run");
        }
        return session;
    }

    void session(RemoteSession s) {
        this.session = s;
    }

    DataDirListing.Listing listing() {
        return listing;
    }

    void listing(DataDirListing.Listing l) {
        this.listing = l;
    }

    List<Decision> decisions() {
        return decisions;
    }

    void decisions(List<Decision> d) {
        this.decisions = List.copyOf(d);
    }

    /**
     * Changes an orphan's verdict after a check made right before its delete (the node found a mount point, or its
     * job became active), so that the counts and lists report what really happened to it.
     */
    void redecide(Decision orphan, Verdict verdict, String reason) {
        List<Decision> changed = new ArrayList<>(decisions);
        int at = changed.indexOf(orphan);
        if (at < 0) {
            throw new IllegalStateException("no decision about " + orphan.entry().name() + " on node " + name());
        }
        changed.set(at, new Decision(orphan.entry(), verdict, reason));
        decisions = List.copyOf(changed);
        if (verdict == Verdict.REFUSED) {
            refused(orphan.entry().name(), reason);
        }
    }

    void wouldDelete(String name) {
        wouldDelete.add(name);
    }

    void deleted(String name) {
        deleted.add(name);
    }

    void refused(String name, String reason) {
        refused.add(Map.of("name", name, "reason", reason));
    }

    void error(String message) {
        errors.add(message);
    }

    void dockerSpaceFreed(long bytes) {
        dockerSpaceFreed = bytes;
    }

    void dockerSpaceReclaimable(long bytes) {
        dockerSpaceReclaimable = bytes;
    }

    boolean failed() {
        return !errors.isEmpty();
    }

    void markDone() {
        done = true;
    }

    /** Closes the SSH session, if one is open. */
    void closeSession() {
        RemoteSession s = session;
        session = null;
        if (s != null) {
            s.close();
        }
    }

    long count(Verdict verdict) {
        return decisions.stream().filter(d -> d.verdict() == verdict).count();
    }

    /** The node's part of the run's result (design §5 names, plus the detail an operator needs to act). */
    Map<String, Object> result() {
        Map<Verdict, Long> byVerdict = new EnumMap<>(Verdict.class);
        for (Verdict v : Verdict.values()) {
            byVerdict.put(v, count(v));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("node_name", name());
        r.put("node_id", node.id());
        r.put("node_addr", address);
        r.put("status", failed() ? "failed" : done ? "ok" : "not finished");
        r.put("scanned", decisions.size());
        r.put("orphaned", byVerdict.get(Verdict.ORPHAN) + byVerdict.get(Verdict.REFUSED));
        r.put("deleted", deleted.size());
        r.put("skipped", byVerdict.get(Verdict.KEPT_SYSTEM) + byVerdict.get(Verdict.KEPT_ACTIVE)
                + byVerdict.get(Verdict.KEPT_YOUNG) + byVerdict.get(Verdict.REFUSED));
        Map<String, Object> kept = new LinkedHashMap<>();
        kept.put("system", byVerdict.get(Verdict.KEPT_SYSTEM));
        kept.put("active", byVerdict.get(Verdict.KEPT_ACTIVE));
        kept.put("young", byVerdict.get(Verdict.KEPT_YOUNG));
        kept.put("refused", byVerdict.get(Verdict.REFUSED));
        r.put("kept", kept);
        if (job.input().dryRun()) {
            r.put("would_delete", List.copyOf(wouldDelete));
        } else {
            r.put("deleted_entries", List.copyOf(deleted));
        }
        r.put("refused", List.copyOf(refused));
        // the name the result always had; it lists every job whose dirs were protected as active
        r.put("running_jobs", activeJobs == null ? null : List.copyOf(activeJobs));
        r.put("docker_space_freed", dockerSpaceFreed == null ? 0L : dockerSpaceFreed);
        if (dockerSpaceReclaimable != null) {
            r.put("docker_space_reclaimable", dockerSpaceReclaimable);
        }
        r.put("errors", List.copyOf(errors));
        return r;
    }
}
