package io.nomadcamel.jobs.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

    private static final Instant CUTOFF = Instant.parse("2025-01-10T00:00:00Z");

    private static RetentionPolicy.Entry e(String series, String id, String day) {
        return new RetentionPolicy.Entry(series, id, Instant.parse("2025-01-" + day + "T00:00:00Z"));
    }

    @Test
    void expiredEntriesGoExceptTheNewestOfEachSeriesEvenWhenEveryOneIsOld() {
        List<RetentionPolicy.Entry> entries = List.of(
                e("nomad", "n1", "01"), e("nomad", "n2", "05"), e("nomad", "n3", "12"),
                e("consul", "c1", "01"), e("consul", "c2", "02"),
                e("database:app", "a1", "09"), e("database:app", "a2", "10"));

        assertEquals(List.of("c1", "n1", "n2", "a1").stream().sorted().toList(),
                RetentionPolicy.expired(entries, CUTOFF).stream().map(RetentionPolicy.Entry::id).toList());
    }

    @Test
    void theCutoffItselfIsNotOlderThanTheCutoffAndTiesKeepTheGreatestId() {
        List<RetentionPolicy.Entry> entries = List.of(e("x", "b", "01"), e("x", "a", "01"), e("y", "y1", "10"),
                e("y", "y0", "09"));
        assertEquals(List.of("a", "y0"), RetentionPolicy.expired(entries, CUTOFF).stream()
                .map(RetentionPolicy.Entry::id).toList());
        assertEquals(List.of(), RetentionPolicy.expired(List.of(), CUTOFF));
    }
}
