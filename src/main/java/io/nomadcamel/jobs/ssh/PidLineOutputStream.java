package io.nomadcamel.jobs.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Takes the first stdout line, the remote shell's pid written by {@code echo $$} before the command, and passes the
 * rest on untouched. sshd starts each command's shell with setsid(), so that pid is also the process group of
 * everything the command starts: what {@link RemoteSession} kills when it stops a command. If the first line is not
 * a pid after all (a login script that prints), it is passed on and the pid stays unknown.
 */
final class PidLineOutputStream extends OutputStream {

    private static final int MAX_PID_DIGITS = 19;

    private final OutputStream delegate;
    private final StringBuilder line = new StringBuilder();
    private volatile long pid = -1;
    private boolean done;

    PidLineOutputStream(OutputStream delegate) {
        this.delegate = delegate;
    }

    /** The command's process group, or -1 while (or if) it has not been announced. */
    long pid() {
        return pid;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        int i = off;
        while (!done && i < off + len) {
            char c = (char) (b[i++] & 0xff);
            if (c == '\n') {
                done = true;
                pid = line.length() > 0 ? Long.parseLong(line.toString()) : -1;
            } else if (c >= '0' && c <= '9' && line.length() < MAX_PID_DIGITS) {
                line.append(c);
            } else {
                // not our pid line after all: hand over what was held back, unchanged
                done = true;
                delegate.write(line.toString().getBytes(StandardCharsets.US_ASCII));
                i--;
            }
        }
        if (i < off + len) {
            delegate.write(b, i, off + len - i);
        }
    }

    @Override
    public void flush() throws IOException {
        delegate.flush();
    }
}
