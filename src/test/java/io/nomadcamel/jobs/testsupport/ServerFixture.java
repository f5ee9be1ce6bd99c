package io.nomadcamel.jobs.testsupport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real server a test class needs: register it with {@code @RegisterExtension static final X x = new X();} and it is
 * started before the class's tests and stopped after them; or use it directly with try-with-resources.
 */
public abstract class ServerFixture implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    private boolean started;

    /** Starts the server and returns when it answers. */
    protected abstract void doStart() throws Exception;

    /** Stops the server and removes what it left on disk. */
    protected abstract void doStop() throws Exception;

    public final synchronized void start() {
        if (started) {
            return;
        }
        try {
            doStart();
            started = true;
        } catch (RuntimeException e) {
            quietStop();
            throw e;
        } catch (Exception e) {
            quietStop();
            throw new IllegalStateException(getClass().getSimpleName() + " did not start: " + e.getMessage(), e);
        }
    }

    public final synchronized void stop() {
        if (!started) {
            return;
        }
        started = false;
        try {
            doStop();
        } catch (Exception e) {
            throw new IllegalStateException(getClass().getSimpleName() + " did not stop cleanly: " + e, e);
        }
    }

    private void quietStop() {
        try {
            doStop();
        } catch (Exception ignored) {
            // the start failure is the error to report
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void close() {
        stop();
    }
}
