package io.nomadcamel.jobs.cleanup;

import java.util.ArrayList;
import java.util.List;

import io.nomadcamel.jobs.scheduler.RunContext;
import io.nomadcamel.jobs.ssh.RemoteShell;
import io.nomadcamel.jobs.ssh.SshSettings;

/** One node-cleanup run as it moves through its route: its input, its clients and its nodes. */
public final class CleanupRun {

    private final CleanupInput input;
    private final RunContext run;
    private final NomadNodes nomad;
    private final String dockerBin;
    private final SshSettings ssh;
    private final List<NodeCleanup> nodes = new ArrayList<>();
    private volatile RemoteShell shell;

    CleanupRun(CleanupInput input, RunContext run, NomadNodes nomad, String dockerBin, SshSettings ssh) {
        this.input = input;
        this.run = run;
        this.nomad = nomad;
        this.dockerBin = dockerBin;
        this.ssh = ssh;
    }

    public CleanupInput input() {
        return input;
    }

    public RunContext run() {
        return run;
    }

    NomadNodes nomad() {
        return nomad;
    }

    String dockerBin() {
        return dockerBin;
    }

    SshSettings ssh() {
        return ssh;
    }

    public List<NodeCleanup> nodes() {
        return nodes;
    }

    RemoteShell shell() {
        RemoteShell s = shell;
        if (s == null) {
            throw new IllegalStateException("no SSH client: the nodes are cleaned by the clean-nodes step");
        }
        return s;
    }

    void shell(RemoteShell s) {
        this.shell = s;
    }
}
