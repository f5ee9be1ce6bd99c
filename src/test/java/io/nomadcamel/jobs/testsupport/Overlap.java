package io.nomadcamel.jobs.testsupport;

import java.util.ArrayList;
import java.util.List;

/** How many of some time intervals (calls of a fake program, spans of a wrapped one) were open at one moment. */
public final class Overlap {

    private Overlap() {
    }

    /**
     * The most intervals open at the same instant; each is {start, end} on one clock, an end of
     * {@code Long.MAX_VALUE} for one still open. Touching intervals (one ends when the next starts) do not overlap.
     */
    public static int mostAtOnce(List<long[]> intervals) {
        List<long[]> events = new ArrayList<>();
        for (long[] interval : intervals) {
            events.add(new long[] {interval[0], 1});
            events.add(new long[] {interval[1], -1});
        }
        // at equal times an end comes before a start
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int now = 0;
        int max = 0;
        for (long[] e : events) {
            now += (int) e[1];
            max = Math.max(max, now);
        }
        return max;
    }
}
