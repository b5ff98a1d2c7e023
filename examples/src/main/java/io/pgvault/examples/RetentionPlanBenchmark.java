package io.pgvault.examples;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.api.retention.RetentionPlan;
import io.pgvault.api.retention.RetentionPolicy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Times {@link RetentionPlan#of} over synthetic catalogs of 10k, 100k and 1M sets (hourly physical backups: a FULL
 * every week, a DIFF every day, INCRs in between; 1 in 50 FAILED), shuffled, with a GFS + pgBackRest + keep-within
 * policy in Europe/Berlin. Prints the median of five runs after a warm-up and the time per {@code n log2 n}, which
 * stays flat when planning grows as n log n.
 *
 * <pre>java -cp ... io.pgvault.examples.RetentionPlanBenchmark [sizes...]</pre>
 */
public final class RetentionPlanBenchmark {
    private RetentionPlanBenchmark() {
    }

    /** @param args sizes to plan over; default 10000 100000 1000000 */
    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {10_000, 100_000, 1_000_000}
                : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        RetentionPolicy policy = RetentionPolicy.calendar().hourly(24).daily(7).weekly(4).monthly(12).yearly(5)
                .zone(ZoneId.of("Europe/Berlin")).build()
                .or(RetentionPolicy.fulls(4).diffs(7).build())
                .or(RetentionPolicy.keepWithin(Duration.ofDays(2)));
        System.out.printf("policy: %s; Java %s, %d processors, max heap %d MiB%n", policy.describe(),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        for (int n : sizes) {
            List<BackupSet> sets = catalog(n, new Random(n));
            Instant now = sets.get(0).startedAt().plus(Duration.ofHours(n + 1));
            Collections.shuffle(sets, new Random(42));
            RetentionPlan plan = RetentionPlan.of(policy, sets, now); // warm-up
            long[] nanos = new long[5];
            for (int i = 0; i < nanos.length; i++) {
                long t = System.nanoTime();
                plan = RetentionPlan.of(policy, sets, now);
                nanos[i] = System.nanoTime() - t;
            }
            Arrays.sort(nanos);
            double ms = nanos[nanos.length / 2] / 1e6;
            double perNLogN = nanos[nanos.length / 2] / (n * (Math.log(n) / Math.log(2)));
            System.out.printf("%,9d sets: median %8.1f ms (min %.1f, max %.1f), %.2f ns per n·log2(n); keep %,d, "
                    + "delete %,d%n", n, ms, nanos[0] / 1e6, nanos[nanos.length - 1] / 1e6, perNLogN,
                    plan.kept().size(), plan.deleted().size());
        }
    }

    private static List<BackupSet> catalog(int n, Random r) {
        List<BackupSet> sets = new ArrayList<>(n);
        Instant t = Instant.parse("2000-01-03T00:00:00Z");
        String full = null;
        String diff = null;
        String last = null;
        for (int i = 0; i < n; i++) {
            Instant at = t.plus(Duration.ofHours(i)).plusSeconds(r.nextInt(600));
            String id = String.format("s%08d", i);
            BackupType type;
            String dep;
            if (i % 168 == 0 || full == null) {
                type = BackupType.FULL;
                dep = null;
            } else if (i % 24 == 0) {
                type = BackupType.DIFF;
                dep = full;
            } else {
                type = BackupType.INCR;
                dep = last;
            }
            BackupStatus status = r.nextInt(50) == 0 ? BackupStatus.FAILED : BackupStatus.COMPLETE;
            sets.add(new BackupSet(BackupId.of(id), "bench", type, status, "db", at, at.plusSeconds(60),
                    Optional.ofNullable(dep).map(BackupId::of), List.of(), Map.of(), Optional.empty()));
            if (status == BackupStatus.COMPLETE) {
                last = id;
                if (type == BackupType.FULL) {
                    full = id;
                    diff = null;
                } else if (type == BackupType.DIFF) {
                    diff = id;
                }
            }
        }
        assert diff == null || !diff.isEmpty();
        return sets;
    }
}
