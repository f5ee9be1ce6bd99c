package io.nomadcamel.jobs.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What Linux's /proc says about a process and the machine, for benchmarks: CPU ticks (100 a second) of a process and
 * of each of its threads, the machine's busy and steal time, a process's peak resident set, the load average.
 */
public final class ProcStats {

    private ProcStats() {
    }

    /**
     * Waits until the process used under 2 % of a core for two seconds in a row (start-up's JIT compilation and
     * background tasks done), at most 60 s.
     */
    public static void awaitIdle(long pid) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long before = cpuTicks(pid);
        int quietSeconds = 0;
        while (quietSeconds < 2 && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            long now = cpuTicks(pid);
            quietSeconds = now - before <= 2 ? quietSeconds + 1 : 0; // 100 ticks a second: 2 ticks = 2 %
            before = now;
        }
    }

    /** User and system CPU time of all the process's threads, in clock ticks (/proc/<pid>/stat fields 14, 15). */
    public static long cpuTicks(long pid) throws IOException {
        return cpuTicksOf(Files.readString(Path.of("/proc/" + pid + "/stat")));
    }

    static long cpuTicksOf(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /**
     * CPU seconds of one run: every process on the machine (busy time of /proc/stat), the application's JVM, and its
     * threads grouped by name (digits dropped: "C2 CompilerThread0" and "...1" are one line), the five busiest.
     */
    public static String cpuSummary(String machine, Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> byName = new HashMap<>();
        after.forEach((key, ticks) -> byName.merge(key.substring(key.indexOf(' ') + 1).replaceAll("[0-9#-]+", "")
                .strip(), ticks - before.getOrDefault(key, 0L), Long::sum));
        long jvm = byName.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder top = new StringBuilder();
        byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
                .forEach(e -> top.append(top.isEmpty() ? "" : ", ").append(String.format("%s %.2f", e.getKey(),
                        e.getValue() / 100.0)));
        return String.format("%s, application JVM %.2f CPU s (%s)", machine, jvm / 100.0, top);
    }

    /** Each thread's user and system ticks, keyed "tid name". */
    public static Map<String, Long> threadTicks(long pid) throws IOException {
        Map<String, Long> ticks = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    ticks.put(task.getFileName() + " " + name, cpuTicksOf(stat));
                } catch (IOException ended) {
                    // the thread ended between the listing and the read
                }
            }
        }
        return ticks;
    }

    /** Busy ticks of all CPUs since boot (/proc/stat's user, nice, system, irq, softirq) and steal ticks. */
    public static long[] machineTicks() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i : new int[] {1, 2, 3, 6, 7}) {
            busy += Long.parseLong(f[i]);
        }
        return new long[] {busy, Long.parseLong(f[8])};
    }

    /** The machine's CPU and steal seconds since {@code before} ({@link #machineTicks()}). */
    public static String machineSince(long[] before) throws IOException {
        long[] now = machineTicks();
        return String.format("machine %.1f CPU s (steal %.1f s)", (now[0] - before[0]) / 100.0,
                (now[1] - before[1]) / 100.0);
    }

    /** The kernel's high-water mark of the process's resident set: the peak, however short. */
    public static long peakRss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmHWM for " + pid);
    }

    public static String loadAverage() throws IOException {
        String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
        return parts[0] + " " + parts[1] + " " + parts[2];
    }
}
