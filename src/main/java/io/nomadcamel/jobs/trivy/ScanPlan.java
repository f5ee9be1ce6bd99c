package io.nomadcamel.jobs.trivy;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

import io.nomadcamel.jobs.scheduler.RunContext;

/**
 * One run's scan: its settings, its bound on concurrent Trivy processes, and what its scans stored so far. The route
 * keeps it in the exchange property {@value #PROPERTY}; the split's sub-exchanges share it.
 * <p>
 * The split's thread pool is shared by every trivy-scan run and sized by {@code scans.max-concurrency}; the run's
 * own {@code concurrency} is enforced here by a semaphore, so two runs of different jobs each keep their bound.
 */
public final class ScanPlan {

    public static final String PROPERTY = "trivyPlan";

    private final TrivySettings settings;
    private final int concurrency;
    private final Semaphore slots;
    private final Queue<ScanStore.Saved> saved = new ConcurrentLinkedQueue<>();
    private final Queue<String> notStored = new ConcurrentLinkedQueue<>();
    private volatile int imagesTotal;

    ScanPlan(TrivySettings settings, int concurrency) {
        this.settings = settings;
        this.concurrency = concurrency;
        this.slots = new Semaphore(concurrency, true);
    }

    public TrivySettings settings() {
        return settings;
    }

    public int concurrency() {
        return concurrency;
    }

    int imagesTotal() {
        return imagesTotal;
    }

    void imagesTotal(int n) {
        imagesTotal = n;
    }

    /** Waits for a free slot; a stopped run stops waiting. */
    void acquire(RunContext run) {
        run.acquire(slots);
    }

    void release() {
        slots.release();
    }

    void saved(ScanStore.Saved s) {
        saved.add(s);
    }

    void notStored(String imageAndReason) {
        notStored.add(imageAndReason);
    }

    List<ScanStore.Saved> saved() {
        return List.copyOf(saved);
    }

    List<String> notStored() {
        return List.copyOf(notStored);
    }
}
