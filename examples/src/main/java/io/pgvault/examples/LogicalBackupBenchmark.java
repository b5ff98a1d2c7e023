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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.pgvault.examples.ShellBaseline.quote;

/**
 * Measures pgvault's logical backups and restores against what an operator types in a shell, in the same run, on
 * the same data, rotating which side goes first, and reports medians, the ratios pgvault/shell, stored sizes and the
 * JVM's heap. Meant to run with {@code -Xmx64m} (see {@code scripts/benchmark} and {@code docs/benchmarks.md}).
 * Three sides per operation:
 * <ul>
 *     <li>the shell: backup {@code pg_dump -Fp | zstd -3 > file} (custom: {@code pg_dump -Fc -Z0 | zstd -3}),
 *     restore {@code createdb; zstd -dc file | psql -X -q -v ON_ERROR_STOP=1} (custom: {@code | pg_restore});</li>
 *     <li>a shell doing pgvault's work: SHA-256 of the dump, zstd -3, age X25519, SHA-256 of the stored bytes and an
 *     fsync, and for restores a checksum pass before {@code age -d | zstd -dc};</li>
 *     <li>pgvault: PgDumpStrategy plain or custom, zstd level 3, age X25519, LocalRepository; restores into a new
 *     database.</li>
 * </ul>
 * As diagnostics it also times an fsync of the shell's file, the checksum pass that {@code RestoreRequest.verifyFirst}
 * adds, and one plain restore per round with {@code verifyFirst(false)} (not pgvault's default; not a side).
 * Options: {@code --mb N} table size (default 400), {@code --rounds N} (default 3), {@code --workers N} zstd worker
 * threads for pgvault (default: pgvault's own, {@code Compression.zstd()}; 0 compresses on the reading thread),
 * {@code --work-dir DIR},
 * {@code --no-profile} to skip the closing {@link PipelineProfile} of the JVM side.
 */
public final class LogicalBackupBenchmark {
    private static final String SOURCE = "bench";
    private static final String TABLE = DemoDatabase.RANDOM_TEXT_TABLE;

    private static final String SHELL = "shell";
    private static final String SAME_WORK = "same-work shell";
    private static final String PGVAULT = "pgvault";
    private static final List<String> SIDES = List.of(SHELL, SAME_WORK, PGVAULT);

    private final BenchmarkOptions options;
    private final PrintStream out;
    private final Map<String, Comparison> results = new LinkedHashMap<>();
    private final Map<String, Long> sizes = new LinkedHashMap<>();
    private final Samples fsyncOfShellFile = new Samples();
    private final Samples checksumPass = new Samples();
    private final Samples restoreWithoutPrePass = new Samples();
    private PostgresCluster pg;
    private ShellBaseline shell;
    private Path work;
    private Path identityFile;
    private String recipient;
    private long sourceRows;

    private LogicalBackupBenchmark(BenchmarkOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** @param args {@code --mb N --rounds N --workers N --work-dir DIR} */
    public static void main(String[] args) throws IOException {
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("benchmark: " + e.getMessage());
            System.err.println("usage: LogicalBackupBenchmark [--mb N] [--rounds N] [--workers N] [--work-dir DIR] "
                    + "[--no-profile]");
            System.exit(2);
            return;
        }
        new LogicalBackupBenchmark(options, System.out).run();
    }

    private void run() throws IOException {
        work = options.workDir() != null ? Files.createDirectories(options.workDir())
                : Files.createTempDirectory("pgvault-benchmark-");
        try (PostgresCluster cluster = PostgresCluster.builder()
                .conf("shared_buffers = 256MB", "maintenance_work_mem = 256MB").start();
             HeapWatch heap = new HeapWatch()) {
            pg = cluster;
            shell = new ShellBaseline(cluster);
            describeMachine();
            buildSource();
            Secret identity = AgeKeys.generateIdentity();
            recipient = AgeKeys.recipientOf(identity);
            identityFile = Files.writeString(Files.createFile(work.resolve("age-identity.txt"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                    identity.reveal() + "\n");
            Encryption encryption = Encryption.x25519(identity);
            PipelineOptions pipeline = new PipelineOptions(options.compression(), encryption);
            PgVault plain = vault(DumpFormat.PLAIN, pipeline);
            PgVault custom = vault(DumpFormat.CUSTOM, pipeline);
            out.println("warm-up (not counted): one plain backup each way");
            shell.backup(SOURCE, "-Fp", work.resolve("warmup.sql.zst"));
            plain.catalog().delete(plain.backup().id());
            HeapWatch.Reading overall = HeapWatch.Reading.NONE;
            for (int round = 1; round <= options.rounds(); round++) {
                overall = overall.max(round(round, plain, custom, heap));
            }
            report(overall);
            if (options.profile()) {
                out.println();
                Path dump = work.resolve("profile.sql");
                ShellBaseline.run(shell.pgDump(SOURCE, "-Fp") + " > " + quote(dump));
                PipelineProfile.run(dump, work, encryption, out);
            }
        } finally {
            if (options.workDir() == null) {
                deleteTree(work);
            }
        }
    }

    private HeapWatch.Reading round(int round, PgVault plain, PgVault custom, HeapWatch heap) {
        int first = (round - 1) % SIDES.size();
        out.printf("round %d of %d%n", round, options.rounds());
        Path plainFile = work.resolve("shell-" + round + ".sql.zst");
        Path plainAge = work.resolve("same-work-" + round + ".sql.zst.age");
        Path customFile = work.resolve("shell-" + round + ".dump.zst");
        Path customAge = work.resolve("same-work-" + round + ".dump.zst.age");
        BackupSet[] sets = new BackupSet[2];
        HeapWatch.Reading peak = measure("backup, plain format", first, heap,
                () -> shell.backup(SOURCE, "-Fp", plainFile),
                () -> shell.backupSameWork(SOURCE, "-Fp", recipient, plainAge),
                () -> sets[0] = plain.backup());
        fsyncOfShellFile.add(shell.fsync(plainFile), Duration.ZERO);
        peak = peak.max(measure("backup, custom format", first + 1, heap,
                () -> shell.backup(SOURCE, "-Fc -Z0", customFile),
                () -> shell.backupSameWork(SOURCE, "-Fc -Z0", recipient, customAge),
                () -> sets[1] = custom.backup()));
        long start = System.nanoTime();
        plain.verify(sets[0].id(), false);
        checksumPass.add(Duration.ofNanos(System.nanoTime() - start), Duration.ZERO);

        peak = peak.max(measure("restore, plain format", first + 2, heap,
                () -> shell.restorePlain(plainFile, "restored_shell"),
                () -> shell.restorePlainSameWork(plainAge, identityFile, "restored_same_work"),
                () -> plain.restore(RestoreRequest.builder().backupId(sets[0].id())
                        .targetDatabase("restored_pgvault").build())));
        checkAndDrop("restored_shell", "restored_same_work", "restored_pgvault");
        // a diagnostic, not a side: what the verifyFirst pre-pass costs in a restore (measured after the sides)
        pg.psql("postgres", "CHECKPOINT");
        start = System.nanoTime();
        plain.restore(RestoreRequest.builder().backupId(sets[0].id()).targetDatabase("restored_no_pre_pass")
                .verifyFirst(false).build());
        restoreWithoutPrePass.add(Duration.ofNanos(System.nanoTime() - start), Duration.ZERO);
        checkAndDrop("restored_no_pre_pass");
        peak = peak.max(measure("restore, custom format", first + 3, heap,
                () -> shell.restoreCustom(customFile, "restored_shell"),
                () -> shell.restoreCustomSameWork(customAge, identityFile, "restored_same_work"),
                () -> custom.restore(RestoreRequest.builder().backupId(sets[1].id())
                        .targetDatabase("restored_pgvault").build())));
        checkAndDrop("restored_shell", "restored_same_work", "restored_pgvault");

        sizes.put("plain dump, uncompressed (pgvault's logical bytes)", sets[0].logicalBytes());
        sizes.put("shell: pg_dump -Fp | zstd -3", size(plainFile));
        sizes.put("shell, same work: ... | zstd -3 | age", size(plainAge));
        sizes.put("pgvault plain set (zstd 3 + age), stored", sets[0].storedBytes());
        sizes.put("custom dump, uncompressed (pgvault's logical bytes)", sets[1].logicalBytes());
        sizes.put("shell: pg_dump -Fc -Z0 | zstd -3", size(customFile));
        sizes.put("shell, same work: ... -Fc -Z0 | zstd -3 | age", size(customAge));
        sizes.put("pgvault custom set (zstd 3 + age), stored", sets[1].storedBytes());
        plain.catalog().delete(sets[0].id());
        custom.catalog().delete(sets[1].id());
        List.of(plainFile, plainAge, customFile, customAge).forEach(LogicalBackupBenchmark::deleteTree);
        return peak;
    }

    /**
     * Runs each side once, after a checkpoint so that none pays for another's; which side starts rotates, so that
     * drift in the machine's load does not favour one.
     */
    private HeapWatch.Reading measure(String name, int first, HeapWatch heap, Supplier<ShellBaseline.Run> plainShell,
            Supplier<ShellBaseline.Run> sameWork, Runnable pgvault) {
        Comparison c = results.computeIfAbsent(name, Comparison::new);
        HeapWatch.Reading[] reading = new HeapWatch.Reading[1];
        Map<String, Runnable> sides = Map.of(
                SHELL, () -> c.add(SHELL, plainShell.get()),
                SAME_WORK, () -> c.add(SAME_WORK, sameWork.get()),
                PGVAULT, () -> {
                    heap.reset();
                    long cpu = processCpuNanos();
                    long start = System.nanoTime();
                    pgvault.run();
                    c.add(PGVAULT, new ShellBaseline.Run(Duration.ofNanos(System.nanoTime() - start),
                            Duration.ofNanos(processCpuNanos() - cpu)));
                    reading[0] = heap.read();
                });
        for (int i = 0; i < SIDES.size(); i++) {
            pg.psql("postgres", "CHECKPOINT");
            sides.get(SIDES.get((first + i) % SIDES.size())).run();
        }
        out.printf("  %-24s shell %s, same-work shell %s, pgvault %s%n", name,
                Units.seconds(c.samples(SHELL).lastWall()), Units.seconds(c.samples(SAME_WORK).lastWall()),
                Units.seconds(c.samples(PGVAULT).lastWall()));
        return reading[0];
    }

    private void report(HeapWatch.Reading heap) {
        out.println();
        out.printf("## Results: --mb %d, %d rounds, pgvault zstd workers %d%s, Java %s, %s%n%n", options.megabytes(),
                options.rounds(), options.compression().workers(), options.workers() < 0 ? " (pgvault's default)" : "",
                Runtime.version().feature(), Instant.now());
        out.println("| operation | shell (median) | pgvault (median) | pgvault / shell | target | shell runs (s) "
                + "| pgvault runs (s) |");
        out.println("|---|---|---|---|---|---|---|");
        for (Comparison c : results.values()) {
            Samples s = c.samples(SHELL);
            Samples v = c.samples(PGVAULT);
            out.printf("| %s | %s | %s | **%s** | ≤ 1.10× (%s) | %s | %s |%n", c.name, Units.seconds(s.medianWall()),
                    Units.seconds(v.medianWall()), v.ratioTo(s), v.ratio(s) <= 1.10 ? "met" : "missed", s.all(),
                    v.all());
        }
        out.println();
        out.println("| operation | shell doing the same work (median) | pgvault / same-work shell | CPU: shell's tools "
                + "| CPU: same-work tools | CPU: pgvault's JVM | same-work runs (s) |");
        out.println("|---|---|---|---|---|---|---|");
        for (Comparison c : results.values()) {
            Samples w = c.samples(SAME_WORK);
            out.printf("| %s | %s | %s | %s | %s | %s | %s |%n", c.name, Units.seconds(w.medianWall()),
                    c.samples(PGVAULT).ratioTo(w), Units.seconds(c.samples(SHELL).medianCpu()),
                    Units.seconds(w.medianCpu()), Units.seconds(c.samples(PGVAULT).medianCpu()), w.all());
        }
        out.println();
        out.println("| stored | bytes | size |");
        out.println("|---|---|---|");
        sizes.forEach((k, v) -> out.printf("| %s | %s | %s |%n", k.replace("|", "\\|"), Units.count(v),
                Units.bytes(v)));
        out.println();
        out.printf("JVM heap: max %s (-Xmx); during pgvault's operations: peak pool usage %s, largest heap live after "
                + "a GC %s (%d GCs); most allocated by the calling thread in one operation %s%n",
                Units.bytes(HeapWatch.maxHeap()), Units.bytes(heap.peakUsed()),
                heap.collections() == 0 ? "n/a" : Units.bytes(heap.maxLiveAfterGc()), heap.collections(),
                Units.bytes(heap.allocated()));
        out.printf("diagnostics: fsync of the shell's plain file after writing it: median %s; checksum pass over the "
                + "stored plain set (what RestoreRequest.verifyFirst adds to a restore): median %s%n",
                Units.seconds(fsyncOfShellFile.medianWall()), Units.seconds(checksumPass.medianWall()));
        Samples plainShell = results.get("restore, plain format").samples(SHELL);
        out.printf("diagnostics: pgvault's plain restore with verifyFirst(false), not the default (run after the "
                + "three sides, outside the rotation): median %s, %s the shell's (runs: %s)%n",
                Units.seconds(restoreWithoutPrePass.medianWall()), restoreWithoutPrePass.ratioTo(plainShell),
                restoreWithoutPrePass.all());
        out.printf("load average at the end: %.2f%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private void describeMachine() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
        out.printf("machine: %d processors (%s), %s, load average %.2f; Java %s; PostgreSQL %s; %s%n",
                Runtime.getRuntime().availableProcessors(), cpu, mem,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.version(), pg.version(),
                ShellBaseline.capture("zstd --version; age --version").replace('\n', ' ').trim());
        out.printf("cluster: testkit defaults (fsync = off, synchronous_commit = off) + shared_buffers = 256MB, "
                + "maintenance_work_mem = 256MB; work directory %s%n", work);
    }

    private void buildSource() {
        long start = System.nanoTime();
        pg.createDatabase(SOURCE);
        DemoDatabase.randomText(options.megabytes()).applyTo(pg, SOURCE);
        List<String> row = pg.query(SOURCE, "SELECT pg_total_relation_size('" + TABLE + "'), pg_relation_size('"
                + TABLE + "'), count(*) FROM " + TABLE).get(0);
        sourceRows = Long.parseLong(row.get(2));
        sizes.put("table " + TABLE + ", pg_total_relation_size", Long.parseLong(row.get(0)));
        sizes.put("table " + TABLE + ", pg_relation_size (heap)", Long.parseLong(row.get(1)));
        out.printf("source: %s rows in %s, pg_total_relation_size %s (heap %s), built in %s%n",
                Units.count(sourceRows), TABLE, Units.bytes(Long.parseLong(row.get(0))),
                Units.bytes(Long.parseLong(row.get(1))), Units.seconds(Duration.ofNanos(System.nanoTime() - start)));
    }

    private PgVault vault(DumpFormat format, PipelineOptions pipeline) throws IOException {
        return PgVault.builder().acceptUnauthenticated(true)
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(pg.connection(SOURCE)).format(format)
                        .build()))
                .repository(LocalRepository.at(work.resolve("pgvault-" + format.label())))
                .pipeline(pipeline)
                .scratchDirectory(Files.createDirectories(work.resolve("scratch")))
                .build();
    }

    private void checkAndDrop(String... databases) {
        for (String db : databases) {
            long rows = Long.parseLong(pg.queryValue(db, "SELECT count(*) FROM " + TABLE));
            if (rows != sourceRows) {
                throw new IllegalStateException(db + " holds " + rows + " rows, the source " + sourceRows);
            }
            pg.dropDatabase(db);
        }
    }





    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the size of " + file, e);
        }
    }

    static void deleteTree(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("benchmark: could not delete " + path + ": " + e);
        }
    }

    /** The samples of each side of one operation. */
    private static final class Comparison {
        final String name;
        final Map<String, Samples> sides = new LinkedHashMap<>();

        Comparison(String name) {
            this.name = name;
        }

        void add(String side, ShellBaseline.Run run) {
            samples(side).add(run.wall(), run.childCpu());
        }

        Samples samples(String side) {
            return sides.computeIfAbsent(side, k -> new Samples());
        }
    }
}
