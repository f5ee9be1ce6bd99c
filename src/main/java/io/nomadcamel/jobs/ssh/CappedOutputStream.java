package io.nomadcamel.jobs.ssh;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Collects a remote stream up to a limit and drops the rest, so a chatty command cannot exhaust the heap. */
final class CappedOutputStream extends OutputStream {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final int limit;
    private boolean truncated;

    CappedOutputStream(int limit) {
        this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int room = limit - bytes.size();
        if (len > room) {
            truncated = true;
        }
        bytes.write(b, off, Math.max(0, Math.min(len, room)));
    }

    synchronized boolean truncated() {
        return truncated;
    }

    synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
