package io.nomadcamel.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void shortAndIsoForms() {
        assertEquals(Duration.ofSeconds(90), Durations.parse("90s"));
        assertEquals(Duration.ofMinutes(10), Durations.parse("10m"));
        assertEquals(Duration.ofHours(3), Durations.parse("3h"));
        assertEquals(Duration.ofDays(1), Durations.parse("1d"));
        assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
        assertEquals(Duration.ofMinutes(10), Durations.parse("PT10M"));
        assertEquals(Duration.ofMinutes(10), Durations.parse(" pt10m "));
    }

    @Test
    void rejectsWhatIsNotADuration() {
        for (String bad : new String[] {"", "10", "ten minutes", "10 m", "10y", "-5m", "PTXM"}) {
            assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
        }
    }

    @Test
    void formatsInTheLargestWholeUnit() {
        assertEquals("1d", Durations.format(Duration.ofHours(24)));
        assertEquals("3h", Durations.format(Duration.ofHours(3)));
        assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
        assertEquals("10m", Durations.format(Duration.ofMinutes(10)));
        assertEquals("0s", Durations.format(Duration.ZERO));
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
    }
}
