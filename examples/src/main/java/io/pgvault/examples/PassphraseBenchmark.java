package io.pgvault.examples;

import io.pgvault.api.AgeKeys;
import io.pgvault.api.BackupSet;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.Secret;
import io.pgvault.backend.pgdump.DumpFormat;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.PostgresCluster;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Passphrase against X25519, in the same run, on the same data (issue 13): a passphrase set pays one scrypt
 * derivation per set and operation, so its backups and restores should cost what X25519's do. Measures plain and
 * custom backups and restores of the {@code --mb} random-text table, and directory backups and restores
 * ({@code jobs=2}) of a database with several hundred tables (the awkward demo's 300 bulk tables plus the realistic
 * demo); which side goes first alternates each round. Each side keeps one vault per format for the whole run, as a
 * service does: its first backup is timed apart (the set key is derived during it), and every timed operation starts
 * once the key made ahead after the previous backup is ready (a service's backups are hours apart). Also reports the peak bytes in the scratch directory during a
 * directory backup against the dump's size, and the heap each side needed.
 * <p>
 * Options: {@code --mb N} (default 400), {@code --rounds N} (default 3), {@code --work-factor N} scrypt log2 cost
 * (default 18, age's), {@code --scale N} realistic demo scale in the many-table database (default 10),
 * {@code --only x25519|passphrase} (one side only, for a heap reading at a small {@code -Xmx}), {@code --work-dir DIR}.
 * Run with {@code scripts/benchmark-passphrase} or as described in {@code docs/benchmarks.md}.
 */
public final class PassphraseBenchmark {
    private static final String BIG = "bench_big";
    private static final String MANY = "bench_many";
    private static final String X25519 = "x25519";
    private static final String PASSPHRASE = "passphrase";
    private static final String FIRST = "first backup of a process, ";

    private final PrintStream out = System.out;
    private final Map<String, Map<String, Samples>> results = new LinkedHashMap<>();
    private final Map<String, HeapWatch.Reading> heapBySide = new LinkedHashMap<>();
    private final List<String> scratchLines = new ArrayList<>();
    private int mb = 400;
    private int rounds = 3;
    private int workFactor = 18;
    private int scale = 10;
    private String only;
    private Path work;
    private PostgresCluster pg;
    private Map<String, Long> bigCounts;
    private Map<String, Long> manyCounts;

    private PassphraseBenchmark() {
    }

    /** @param args see the class comment */
    public static void main(String[] args) throws IOException {
        PassphraseBenchmark b = new PassphraseBenchmark();
        Path dir = null;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                System.err.println("benchmark: " + args[i] + " needs a value");
                System.exit(2);
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--mb" -> b.mb = Integer.parseInt(v);
                case "--rounds" -> b.rounds = Integer.parseInt(v);
                case "--work-factor" -> b.workFactor = Integer.parseInt(v);
                case "--scale" -> b.scale = Integer.parseInt(v);
                case "--only" -> b.only = v;
                case "--work-dir" -> dir = Path.of(v);
                default -> {
                    System.err.println("usage: PassphraseBenchmark [--mb N] [--rounds N] [--work-factor N] "
                            + "[--scale N] [--only x25519|passphrase] [--work-dir DIR]");
                    System.exit(2);
                }
            }
        }
        b.work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("pgvault-passphrase-");
        try {
            b.run();
        } finally {
            if (dir == null) {
                LogicalBackupBenchmark.deleteTree(b.work);
            }
        }
    }

    private void run() throws IOException {
        try (PostgresCluster cluster = PostgresCluster.builder()
                .conf("shared_buffers = 256MB", "maintenance_work_mem = 256MB").start();
             HeapWatch heap = new HeapWatch()) {
            pg = cluster;
            long start = System.nanoTime();
            pg.createDatabase(BIG);
            DemoDatabase.randomText(mb).applyTo(pg, BIG);
            pg.createDatabase(MANY);
            DemoDatabase.awkward().applyTo(pg, MANY);
            DemoDatabase.realistic(scale).applyTo(pg, MANY);
            bigCounts = DemoDatabase.rowCounts(pg, BIG);
            manyCounts = DemoDatabase.rowCounts(pg, MANY);
            out.printf("machine: %d processors, load %.2f, Java %s, PostgreSQL %s, -Xmx %s; sources built in %s: "
                    + "%s (%d table(s)), %s (%d tables, %s)%n", Runtime.getRuntime().availableProcessors(),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.version(),
                    pg.version(), Units.bytes(HeapWatch.maxHeap()),
                    Units.seconds(Duration.ofNanos(System.nanoTime() - start)), BIG, bigCounts.size(), MANY,
                    manyCounts.size(), Units.bytes(Long.parseLong(pg.queryValue(MANY,
                            "SELECT pg_database_size(current_database())"))));

            Secret identity = AgeKeys.generateIdentity();
            Secret integrity = Secret.of("benchmark integrity key, not secret: 0123456789abcdef");
            Map<String, PipelineOptions> sides = new LinkedHashMap<>();
            if (only == null || only.equals(X25519)) {
                sides.put(X25519, PipelineOptions.defaults().withIntegrityKey(integrity)
                        .withEncryption(Encryption.x25519(identity)));
            }
            if (only == null || only.equals(PASSPHRASE)) {
                sides.put(PASSPHRASE, PipelineOptions.defaults().withIntegrityKey(integrity).withEncryption(
                        Encryption.passphrase(Secret.of("benchmark passphrase")).withWorkFactor(workFactor)));
            }
            List<String> order = new ArrayList<>(sides.keySet());
            // one vault per side and format for the whole run, as a service holds one: its first backup derives the
            // set key during the backup (timed apart), every later one takes the key made between backups
            Map<DumpFormat, Map<String, PgVault>> vaults = new LinkedHashMap<>();
            for (DumpFormat format : List.of(DumpFormat.PLAIN, DumpFormat.CUSTOM, DumpFormat.DIRECTORY)) {
                for (String side : order) {
                    PgVault vault = vault(format, side, sides.get(side));
                    vaults.computeIfAbsent(format, f -> new LinkedHashMap<>()).put(side, vault);
                    settle();
                    BackupSet first = timed(FIRST + format.label(), side, heap, vault::backup);
                    vault.catalog().delete(first.id());
                }
            }
            for (int round = 1; round <= rounds; round++) {
                out.printf("round %d of %d (%s first)%n", round, rounds, order.get(0));
                for (DumpFormat format : List.of(DumpFormat.PLAIN, DumpFormat.CUSTOM, DumpFormat.DIRECTORY)) {
                    Map<String, BackupSet> sets = new LinkedHashMap<>();
                    Map<String, PgVault> byside = vaults.get(format);
                    for (String side : order) {
                        settle();
                        sets.put(side, timed("backup, " + format.label(), side, heap,
                                () -> format == DumpFormat.DIRECTORY ? backupWatchingScratch(byside.get(side), side)
                                        : byside.get(side).backup()));
                    }
                    for (String side : order) {
                        String target = "restored_" + side;
                        settle();
                        timed("restore, " + format.label(), side, heap, () -> byside.get(side).restore(
                                RestoreRequest.builder().backupId(sets.get(side).id()).targetDatabase(target)
                                        .jobs(format == DumpFormat.PLAIN ? 1 : 2).build()));
                        check(target, format == DumpFormat.DIRECTORY ? manyCounts : bigCounts);
                    }
                    for (String side : order) {
                        byside.get(side).catalog().delete(sets.get(side).id());
                    }
                }
                java.util.Collections.reverse(order);
            }
            report();
        }
    }

    /**
     * Waits until no set key is being made ahead: a service's backups are hours apart, so the key for the next set is
     * ready when it starts; timing an operation while the previous backup's refill still runs would measure that
     * refill instead (the thread name is pgvault's {@code SetKeyReserve}).
     */
    private static void settle() {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("pgvault-set-key-ahead"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("a set key is still being made after 2 minutes");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private interface Work<T> {
        T run();
    }

    private <T> T timed(String operation, String side, HeapWatch heap, Work<T> work) {
        pg.psql("postgres", "CHECKPOINT");
        heap.reset();
        long start = System.nanoTime();
        T result = work.run();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        results.computeIfAbsent(operation, k -> new LinkedHashMap<>()).computeIfAbsent(side, k -> new Samples())
                .add(took, Duration.ZERO);
        heapBySide.merge(side, heap.read(), HeapWatch.Reading::max);
        out.printf("  %-20s %-10s %s%n", operation, side, Units.seconds(took));
        return result;
    }

    /** A directory backup, sampling the bytes in the vault's scratch directory every 10 ms. */
    private BackupSet backupWatchingScratch(PgVault vault, String side) {
        BackupSet set;
        long peakBytes;
        try (ScratchSampler sampler = new ScratchSampler(work.resolve("scratch-" + side))) {
            set = vault.backup();
            sampler.close();
            peakBytes = sampler.peak();
        }
        long largest = set.objects().stream().mapToLong(o -> o.logicalBytes()).max().orElse(0);
        scratchLines.add(String.format("| %s | %s | %s | %s | %d | %s |", side, Units.bytes(peakBytes),
                Units.bytes(set.logicalBytes()), percent(peakBytes, set.logicalBytes()), set.objects().size(),
                Units.bytes(largest)));
        return set;
    }

    private PgVault vault(DumpFormat format, String side, PipelineOptions options) throws IOException {
        return PgVault.builder()
                .strategy(new PgDumpStrategy(PgDumpConfig.builder()
                        .connection(pg.connection(format == DumpFormat.DIRECTORY ? MANY : BIG)).format(format)
                        .jobs(format == DumpFormat.DIRECTORY ? 2 : 1).build()))
                .repository(LocalRepository.at(work.resolve("repo-" + side + "-" + format.label())))
                .pipeline(options)
                .scratchDirectory(Files.createDirectories(work.resolve("scratch-" + side)))
                .build();
    }

    private void check(String database, Map<String, Long> expected) {
        Map<String, Long> counts = DemoDatabase.rowCounts(pg, database);
        if (!counts.equals(expected)) {
            throw new IllegalStateException(database + " does not hold the source's rows");
        }
        pg.dropDatabase(database);
    }

    private void report() {
        out.println();
        out.printf("## Results: --mb %d, --scale %d, %d rounds, scrypt work factor %d, -Xmx %s, Java %s, %s%n%n", mb,
                scale, rounds, workFactor, Units.bytes(HeapWatch.maxHeap()), Runtime.version().feature(),
                Instant.now());
        out.println("| operation | X25519 (median) | passphrase (median) | passphrase / X25519 | target | X25519 runs (s)"
                + " | passphrase runs (s) |");
        out.println("|---|---|---|---|---|---|---|");
        for (Map.Entry<String, Map<String, Samples>> e : results.entrySet()) {
            Samples x = e.getValue().get(X25519);
            Samples p = e.getValue().get(PASSPHRASE);
            double target = e.getKey().startsWith(FIRST) ? Double.NaN
                    : e.getKey().endsWith(DumpFormat.DIRECTORY.label()) ? 1.10 : 1.05;
            if (x == null || p == null) {
                Samples s = x != null ? x : p;
                out.printf("| %s | %s | %s | — | — | %s | |%n", e.getKey(), x == null ? "—" : Units.seconds(
                        x.medianWall()), p == null ? "—" : Units.seconds(p.medianWall()), s.all());
                continue;
            }
            out.printf("| %s | %s | %s | **%s** | %s | %s | %s |%n", e.getKey(), Units.seconds(x.medianWall()),
                    Units.seconds(p.medianWall()), p.ratioTo(x), Double.isNaN(target) ? "—"
                            : String.format("≤ %.2f (%s)", target, p.ratio(x) <= target ? "met" : "missed"),
                    x.all(), p.all());
        }
        out.println();
        out.println("| directory backup | peak scratch | dump size (logical) | peak / dump | objects | largest object |");
        out.println("|---|---|---|---|---|---|");
        scratchLines.forEach(out::println);
        out.println();
        heapBySide.forEach((side, r) -> out.printf("heap, %s: peak pool usage %s, largest live after a GC %s "
                + "(%d GCs), most allocated by the calling thread in one operation %s%n", side,
                Units.bytes(r.peakUsed()), r.collections() == 0 ? "n/a" : Units.bytes(r.maxLiveAfterGc()),
                r.collections(), Units.bytes(r.allocated())));
        out.printf("load average at the end: %.2f%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "n/a" : String.format("%.1f %%", 100.0 * part / whole);
    }
}
