package io.nomadcamel.jobs.testsupport;

import java.nio.file.Path;

/**
 * A server that runs as one child process which a test may stop and start again on the same port and data, as an
 * outage or a Nomad scale-down does. Subclasses create {@link #home}, pick {@link #port} and start {@link #process}.
 */
public abstract class RestartableServer extends ServerFixture {

    protected Path home;
    protected int port;
    protected RestartableProcess process;

    @Override
    protected void doStop() {
        if (process != null) {
            process.stop();
        }
        TempDirs.delete(home);
    }

    /** Stops the process only (the port refuses connections); port and data stay. */
    public void stopProcess() {
        process.stop();
    }

    /** Starts the process again on the same port and data, returning once it listens. */
    public void startProcess() {
        process.start();
    }

    public boolean running() {
        return process != null && process.running();
    }

    /** The id of the process (the latest one after a restart). */
    public long pid() {
        return process.pid();
    }

    public Path log() {
        return process.log();
    }

    public int port() {
        return port;
    }
}
