package io.pgvault.examples;

import io.pgvault.api.BackupSet;
import io.pgvault.api.PgVault;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.RestoreResult;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.operations.drill.DrillReport;
import io.pgvault.operations.drill.LogicalDrill;
import io.pgvault.operations.drill.SqlAssertion;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.PostgresCluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Measures a restore drill's RTO on the realistic demo shop at benchmark sizes, next to a baseline from the same run:
 * a plain {@code PgVault#restore} of the same set into a new database of the already running source server.
 *
 * <pre>
 * mvn -q -pl examples -am install -DskipTests
 * java -cp ... io.pgvault.examples.DrillBenchmark 9 90     # realistic(scale): ~100 MB and ~1 GB
 * </pre>
 *
 * Columns: database size; baseline restore; the drill's RTO (restore start until the throwaway server answers);
 * RTO / baseline; the whole drill (initdb, restore, row counts, amcheck with heapallindexed, teardown).
 */
public final class DrillBenchmark {
    private DrillBenchmark() {
    }

    /**
     * @param args realistic demo scales, default {@code 9 90}
     * @throws IOException when the work directories cannot be made
     */
    public static void main(String[] args) throws IOException {
        List<Integer> scales = new ArrayList<>();
        for (String a : args.length == 0 ? new String[] {"9", "90"} : args) {
            scales.add(Integer.parseInt(a));
        }
        List<String> rows = new ArrayList<>();
        Path work = Files.createTempDirectory(Path.of("/tmp"), "drill-bench-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (PostgresCluster pg = PostgresCluster.builder().baseDirectory(work).start()) {
            for (int scale : scales) {
                rows.add(measure(pg, scale, work));
            }
        } finally {
            delete(work);
        }
        System.out.println();
        System.out.println("| database | size | baseline restore | drill RTO | RTO / baseline | whole drill | checks |");
        System.out.println("|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private static String measure(PostgresCluster pg, int scale, Path work) throws IOException {
        String db = "shop_" + scale;
        pg.createDatabase(db);
        long t = System.nanoTime();
        DemoDatabase.realistic(scale).applyTo(pg, db);
        System.out.printf(Locale.ROOT, "built %s in %.1f s%n", db, (System.nanoTime() - t) / 1e9);
        long bytes = Long.parseLong(pg.queryValue(db, "SELECT pg_database_size(current_database())"));
        Path repo = Files.createTempDirectory(work, "repo-");
        PgVault vault = PgVault.builder().acceptUnauthenticated(true)
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(pg.connection(db)).build()))
                .repository(LocalRepository.at(repo))
                .build();
        BackupSet set = vault.backup();
        System.out.printf(Locale.ROOT, "backed up %s in %.1f s (%d MB stored)%n", db,
                set.duration().toMillis() / 1000.0, set.storedBytes() >> 20);

        RestoreResult baseline = vault.restore(RestoreRequest.builder().backupId(set.id())
                .targetDatabase(db + "_copy").build());
        pg.dropDatabase(db + "_copy");

        DrillReport report = LogicalDrill.builder().vault(vault).workDirectory(work).backupId(set.id())
                .assertion(SqlAssertion.isTrue("orders exist", "SELECT count(*) > 0 FROM shop.orders"))
                .build().run();
        System.out.println(report.toText());
        pg.dropDatabase(db);
        Duration rto = report.rto().orElseThrow(() -> new IllegalStateException("drill failed:\n"
                + report.toText()));
        return String.format(Locale.ROOT, "| realistic(%d) | %d MB | %.1f s | %.1f s | %.2f | %.1f s | %s |",
                scale, bytes >> 20, secs(baseline.duration()), secs(rto),
                secs(rto) / secs(baseline.duration()), secs(report.duration()),
                report.passed() ? "passed" : "FAILED");
    }

    private static double secs(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
