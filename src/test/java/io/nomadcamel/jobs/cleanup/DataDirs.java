package io.nomadcamel.jobs.cleanup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.nomadcamel.jobs.testsupport.FakeNomad;

/** Real data dir entries with exact ages, and the Nomad jobs that make some of them active. */
final class DataDirs {

    static final Duration DAY = Duration.ofDays(1);

    /** Names a shell would interpret if they were not passed literally. */
    static final List<String> ODD_NAMES = List.of("with space", "quote'single", "dq\"double", "$(touch pwned-subst)",
            "`touch pwned-tick`", "semi;touch pwned-semi", "-rf", "--version", "new\nline", "ünïcødé-日本語",
            "star*", "back\\slash", "tab\there", "amp&bg", "pipe|cat", "lt<gt>", "hash#x", "~tilde", " lead space");

    /** What an injected command would have created, in the remote shell's working folder (the user's home). */
    static final List<String> CANARIES = List.of("pwned-subst", "pwned-tick", "pwned-semi");

    private DataDirs() {
    }

    /** Creates a folder (with a file in it) or a file, then sets its mtime to exactly {@code age} ago. */
    static Path entry(Path dir, String name, Duration age, boolean folder) throws IOException {
        Path p = dir.resolve(name);
        if (folder) {
            Files.createDirectory(p);
            Files.writeString(p.resolve("payload.txt"), "left by " + name);
        } else {
            Files.writeString(p, "file " + name);
        }
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(age)));
        return p;
    }

    /** A symlink {@code name} → {@code target}, the link's own mtime {@code age} ago (the target is not touched). */
    static Path symlink(Path dir, String name, String target, Duration age) throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve(name), Path.of(target));
        Files.getFileAttributeView(link, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(Instant.now().minus(age)), null, null);
        return link;
    }

    /**
     * A node's data dir as a busy node has it: Nomad's own dirs, dirs of a running job (incl. "job-3" for job "job"),
     * young dirs (one an hour short of the grace period of 7 days), and orphans: exactly 7 days old (equal is old),
     * older, a file, and every odd name. Returns the names the job must delete.
     */
    static Set<String> populate(Path dir, String runningJob) throws IOException {
        for (String system : List.of("alloc", "plugins", "tmp", "server", "client")) {
            // alloc and client already exist on a CleanupCluster node (a Nomad client always has them)
            if (Files.isDirectory(dir.resolve(system))) {
                Files.setLastModifiedTime(dir.resolve(system), FileTime.from(Instant.now().minus(
                        DAY.multipliedBy(400))));
            } else {
                entry(dir, system, DAY.multipliedBy(400), true);
            }
        }
        entry(dir, runningJob, DAY.multipliedBy(30), true);
        entry(dir, runningJob + "-3", DAY.multipliedBy(30), true);
        entry(dir, "young-job", DAY.multipliedBy(7).minusHours(1), true);
        entry(dir, "fresh", Duration.ZERO, true);
        Set<String> orphans = new TreeSet<>();
        entry(dir, "exactly-grace", DAY.multipliedBy(7), true);
        orphans.add("exactly-grace");
        entry(dir, runningJob + "-x", DAY.multipliedBy(8), true); // not "-<digits>": not the running job's
        orphans.add(runningJob + "-x");
        entry(dir, "old-file.log", DAY.multipliedBy(90), false);
        orphans.add("old-file.log");
        for (String odd : ODD_NAMES) {
            entry(dir, odd, DAY.multipliedBy(10), true);
            orphans.add(odd);
        }
        return orphans;
    }

    static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return new TreeSet<>(entries.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** A running allocation of job {@code job} on the node. */
    static void runJob(FakeNomad nomad, String job, CleanupCluster.Node node) {
        nomad.addJob(job).group(job, 1).task("main", "docker", "busybox:1.36");
        nomad.runAllocation(job, job, node.name());
    }

    static Set<String> stringSet(Object list) {
        Set<String> set = new TreeSet<>();
        for (Object o : (List<?>) list) {
            set.add(String.valueOf(o));
        }
        return set;
    }
}
