package io.nomadcamel.jobs.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** How a command's output is taken apart: the pid line RemoteSession prepends, and the cap on what is kept. */
class RemoteOutputSshTest {

    @Test
    void thePidLineIsTakenOffEvenWhenItArrivesInPieces() throws Exception {
        CappedOutputStream out = new CappedOutputStream(1024);
        PidLineOutputStream pidThenOut = new PidLineOutputStream(out);
        pidThenOut.write(bytes("12"));
        assertEquals(-1, pidThenOut.pid());
        pidThenOut.write(bytes("345\nfirst "));
        pidThenOut.write(bytes("line\n"));
        assertEquals(12345, pidThenOut.pid());
        assertEquals("first line\n", out.text());
    }

    @Test
    void aFirstLineThatIsNoPidIsPassedOnUnchanged() throws Exception {
        CappedOutputStream out = new CappedOutputStream(1024);
        PidLineOutputStream pidThenOut = new PidLineOutputStream(out);
        pidThenOut.write(bytes("42 banner from a login script\n"));
        pidThenOut.write(bytes("9\n"));
        assertEquals(-1, pidThenOut.pid());
        assertEquals("42 banner from a login script\n9\n", out.text());
    }

    @Test
    void outputBeyondTheLimitIsDroppedAndMarked() {
        CappedOutputStream out = new CappedOutputStream(5);
        out.write(bytes("abc"), 0, 3);
        assertFalse(out.truncated());
        out.write(bytes("defgh"), 0, 5);
        out.write('i');
        assertEquals("abcde", out.text());
        assertTrue(out.truncated());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
