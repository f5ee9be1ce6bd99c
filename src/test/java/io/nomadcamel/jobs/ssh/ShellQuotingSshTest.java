package io.nomadcamel.jobs.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Names are data, never shell: awkward names quoted by {@link ShellQuoting} reach the remote program literally, and
 * files with such names are created, listed and deleted exactly, through a real sshd and the remote login shell.
 */
class ShellQuotingSshTest extends SshShellTestBase {

    /** Every name a Nomad data dir or a job id could plausibly (or maliciously) hold; none contains '/' or NUL. */
    static final List<String> AWKWARD_NAMES = List.of(
            "with space", "  leading and trailing  ", "it's", "'", "''", "\"double\"", "$(touch pwned-subst)",
            "`touch pwned-backtick`", "a;touch pwned-semicolon", "a && touch pwned-and", "a|b", "a>b", "<a",
            "-rf", "--", "-", "new\nline", "\n", "tab\there", "ünïcødé ✓ 日本語 😀", "*", "?", "[a-z]", "$HOME",
            "${IFS}", "back\\slash", "!bang", "#hash", "~tilde", "%percent", "{a,b}", "a=b", "\u0001ctrl");

    /** The file test's names: all but "-", which GNU touch takes to mean its standard output, even after "--". */
    static final List<String> FILE_NAMES = AWKWARD_NAMES.stream().filter(n -> !n.equals("-")).toList();

    @Test
    void quotesWithSingleQuotesAndEscapesOnlyTheSingleQuote() {
        assertEquals("'plain'", ShellQuoting.quote("plain"));
        assertEquals("''", ShellQuoting.quote(""));
        assertEquals("'it'\\''s'", ShellQuoting.quote("it's"));
        assertEquals("'$(x) `y` \"z\" \\n'", ShellQuoting.quote("$(x) `y` \"z\" \\n"));
        assertEquals("'rm' '-rf' '--' 'a b'", ShellQuoting.command("rm", "-rf", "--", "a b"));
        assertThrows(IllegalArgumentException.class, () -> ShellQuoting.quote("nul\0byte"));
        assertThrows(IllegalArgumentException.class, () -> ShellQuoting.command(List.of()));
    }

    @Test
    void everyArgumentArrivesLiterallyIncludingTheEmptyOne() {
        List<String> args = new ArrayList<>(AWKWARD_NAMES);
        args.add("");
        List<String> words = new ArrayList<>(List.of("printf", "%s\\0"));
        words.addAll(args);
        try (RemoteSession session = shell.connect(SSHD.host())) {
            String out = session.run("cd " + ShellQuoting.quote(work.toString()) + " && "
                    + ShellQuoting.command(words)).stdout();
            assertEquals(args, Arrays.asList(out.split("\0", -1)).subList(0, args.size()));
            assertTrue(out.endsWith("\0"));
            assertEquals(List.of(), list(work), "nothing was executed: " + list(work));
        }
    }

    @Test
    void filesWithAwkwardNamesAreCreatedListedAndDeletedExactly() throws Exception {
        Path dir = Files.createDirectory(work.resolve("data dir $(x)"));
        String cd = "cd " + ShellQuoting.quote(dir.toString()) + " && ";
        List<String> touch = new ArrayList<>(List.of("touch", "--"));
        touch.addAll(FILE_NAMES);
        try (RemoteSession session = shell.connect(SSHD.host())) {
            session.run(cd + ShellQuoting.command(touch));
            assertEquals(new HashSet<>(FILE_NAMES), new HashSet<>(list(dir)), "local view of the remote files");

            String listed = session.run(cd + "find . -mindepth 1 -maxdepth 1 -printf '%f\\0'").stdout();
            assertEquals(new HashSet<>(FILE_NAMES), Set.of(listed.split("\0")), "remote listing");

            List<String> doomed = FILE_NAMES.stream().filter(n -> n.contains("$") || n.contains("'")).toList();
            List<String> rm = new ArrayList<>(List.of("rm", "-f", "--"));
            rm.addAll(doomed);
            session.run(cd + ShellQuoting.command(rm));
            Set<String> kept = new HashSet<>(FILE_NAMES);
            doomed.forEach(kept::remove);
            assertEquals(kept, new HashSet<>(list(dir)), "exactly the named files were deleted");
        }
    }

    @Test
    void namesCanAlsoTravelOnStandardInputNulSeparated() throws Exception {
        Path dir = Files.createDirectory(work.resolve("stdin"));
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        for (String name : FILE_NAMES) {
            names.writeBytes(name.getBytes(StandardCharsets.UTF_8));
            names.write(0);
        }
        try (RemoteSession session = shell.connect(SSHD.host())) {
            session.run("cd " + ShellQuoting.quote(dir.toString()) + " && xargs -0 touch --", names.toByteArray(),
                    Duration.ofSeconds(30));
        }
        assertEquals(new HashSet<>(FILE_NAMES), new HashSet<>(list(dir)));
    }

    private static List<String> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("data dir $(x)") && !n.equals("stdin"))
                    .sorted().collect(Collectors.toList());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
