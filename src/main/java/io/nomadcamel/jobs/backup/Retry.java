package io.nomadcamel.jobs.backup;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

import io.nomadcamel.jobs.scheduler.RunContext;

/** Design §5: calls to other systems retry 3 times, backoff 1 s doubling (up to 1 min), on transient errors only. */
final class Retry {

    private static final Duration MAX_DELAY = Duration.ofMinutes(1);

    private Retry() {
    }

    static <T> T threeTimes(RunContext run, Duration firstDelay, String what, Callable<T> call,
            Predicate<Exception> transientError) throws Exception {
        Duration delay = firstDelay;
        for (int attempt = 1;; attempt++) {
            try {
                return call.call();
            } catch (Exception e) {
                if (attempt > 3 || !transientError.test(e)) {
                    throw e;
                }
                run.progress(what + ": attempt " + attempt + " failed (" + Failures.message(e) + "), retrying in "
                        + delay.toMillis() + " ms");
                long end = System.currentTimeMillis() + delay.toMillis();
                while (System.currentTimeMillis() < end) {
                    run.checkNotStopped();
                    Thread.sleep(Math.min(100, Math.max(1, end - System.currentTimeMillis())));
                }
                delay = delay.multipliedBy(2).compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay.multipliedBy(2);
            }
        }
    }
}
