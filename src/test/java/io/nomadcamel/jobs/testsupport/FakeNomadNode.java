package io.nomadcamel.jobs.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A client node of the fake cluster, as {@code FakeNomad.addNode} created it. The setters are for tests; each one
 * bumps the node's ModifyIndex, as a node update in Nomad does, so blocking queries see the change.
 */
public final class FakeNomadNode {

    private final FakeNomadState state;
    final String id;
    final String name;
    String httpAddr;
    String datacenter = "dc1";
    String nodeClass = "";
    String nodePool = "default";
    String status = "ready";
    boolean drain;
    String schedulingEligibility = "eligible";
    final Map<String, String> attributes = new TreeMap<>();
    final List<String> drivers = new ArrayList<>(List.of("docker", "exec", "raw_exec"));
    final long createIndex;
    final String registeredAt = java.time.Instant.now().toString();
    long modifyIndex;

    FakeNomadNode(FakeNomadState state, String id, String name, String ip, long index) {
        this.state = state;
        this.id = id;
        this.name = name;
        this.httpAddr = ip + ":4646";
        this.createIndex = index;
        this.modifyIndex = index;
        // the fingerprint keys a real client reports and the jobs read; unique.network.ip-address is the SSH address
        attributes.put("unique.network.ip-address", ip);
        attributes.put("unique.hostname", name);
        attributes.put("nomad.advertise.address", httpAddr);
        attributes.put("nomad.version", FakeNomadState.NOMAD_VERSION);
        attributes.put("os.name", "debian");
        attributes.put("kernel.name", "linux");
        attributes.put("cpu.arch", "amd64");
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** "ready", "down", "initializing" or "disconnected". */
    public FakeNomadNode status(String newStatus) {
        return change(n -> n.status = newStatus);
    }

    public FakeNomadNode down() {
        return status("down");
    }

    /** host:port of the node's agent; GET /v1/nodes shows only its host as {@code Address}. */
    public FakeNomadNode httpAddr(String hostPort) {
        return change(n -> n.httpAddr = hostPort);
    }

    /** Sets a fingerprinted attribute; {@code null} removes it (e.g. to test the fallback to HTTPAddr). */
    public FakeNomadNode attribute(String key, String value) {
        return change(n -> {
            if (value == null) {
                n.attributes.remove(key);
            } else {
                n.attributes.put(key, value);
            }
        });
    }

    public FakeNomadNode datacenter(String dc) {
        return change(n -> n.datacenter = dc);
    }

    public FakeNomadNode nodeClass(String cls) {
        return change(n -> n.nodeClass = cls);
    }

    /** Draining, as {@code nomad node drain -enable}: Nomad also marks the node ineligible. */
    public FakeNomadNode drain(boolean draining) {
        return change(n -> {
            n.drain = draining;
            n.schedulingEligibility = draining ? "ineligible" : "eligible";
        });
    }

    public FakeNomadNode eligibility(String eligibility) {
        return change(n -> n.schedulingEligibility = eligibility);
    }

    /** Host part of HTTPAddr, as Nomad computes the stub's Address (net.SplitHostPort). */
    String addressHost() {
        int colon = httpAddr.lastIndexOf(':');
        String host = colon < 0 ? httpAddr : httpAddr.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    boolean acceptsPlacements() {
        return "ready".equals(status) && "eligible".equals(schedulingEligibility);
    }

    private FakeNomadNode change(Consumer<FakeNomadNode> update) {
        synchronized (state) {
            update.accept(this);
            modifyIndex = state.nextIndex();
        }
        return this;
    }
}
