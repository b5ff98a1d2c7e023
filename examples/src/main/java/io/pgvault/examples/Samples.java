package io.pgvault.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Repeated measurements of one thing: wall time and CPU time per run. */
final class Samples {
    private final List<Duration> wall = new ArrayList<>();
    private final List<Duration> cpu = new ArrayList<>();

    void add(Duration wallTime, Duration cpuTime) {
        wall.add(wallTime);
        cpu.add(cpuTime);
    }

    Duration lastWall() {
        return wall.get(wall.size() - 1);
    }

    Duration medianWall() {
        return median(wall);
    }

    Duration medianCpu() {
        return median(cpu);
    }

    /** @return every wall time in seconds, in the order measured, e.g. {@code 3.10 3.02 3.15} */
    String all() {
        return wall.stream().map(d -> String.format(Locale.ROOT, "%.2f", d.toNanos() / 1e9))
                .collect(Collectors.joining(" "));
    }

    /** @return this median over {@code baseline}'s, e.g. {@code 1.04×} */
    String ratioTo(Samples baseline) {
        return String.format(Locale.ROOT, "%.2f×", ratio(baseline));
    }

    double ratio(Samples baseline) {
        return (double) medianWall().toNanos() / baseline.medianWall().toNanos();
    }

    private static Duration median(List<Duration> values) {
        if (values.isEmpty()) {
            return Duration.ZERO;
        }
        List<Duration> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
    }
}
