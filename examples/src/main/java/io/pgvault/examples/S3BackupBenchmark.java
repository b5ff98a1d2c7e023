package io.pgvault.examples;

import io.pgvault.api.AgeKeys;
import io.pgvault.api.BackupSet;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.Secret;
import io.pgvault.backend.pgdump.DumpFormat;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.spi.Repository;
import io.pgvault.storage.gdrive.DriveCredentials;
import io.pgvault.storage.gdrive.GoogleDriveRepository;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryConfig;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3Repository;
import io.pgvault.storage.s3.S3RepositoryConfig;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.gdrive.DriveV3Fake;
import io.pgvault.testkit.s3.S3ProxyServer;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * pg_dump streamed into S3 (S3Proxy over loopback, in this JVM) and into Google Drive (the Drive v3 fake, in this JVM,
 * through the real Google client) against the same backup into a local repository, in one run, rotating which goes
 * first: plain and custom formats of the {@code --mb} random-text table, X25519 +
 * zstd, {@code --runs} each (default 5). Reports the medians, the ratio S3 / local, the heap (peak and live after a
 * GC) and the peak bytes in the scratch directory, which must stay zero: meant for {@code -Xmx64m} (issue 17).
 * Options: {@code --mb N} (default 200), {@code --runs N}, {@code --work-dir DIR}.
 */
public final class S3BackupBenchmark {
    private static final String SOURCE = "bench_s3";
    private static final String DRIVE_CLIENT = "pgvault-bench.apps.googleusercontent.com";

    private final PrintStream out = System.out;

    private S3BackupBenchmark() {
    }

    /** @param args see the class comment */
    public static void main(String[] args) throws IOException {
        int mb = 200;
        int runs = 5;
        Path dir = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--mb" -> mb = Integer.parseInt(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--work-dir" -> dir = Path.of(args[i + 1]);
                default -> {
                    System.err.println("usage: S3BackupBenchmark [--mb N] [--runs N] [--work-dir DIR]");
                    System.exit(2);
                }
            }
        }
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("pgvault-s3-bench-");
        try {
            new S3BackupBenchmark().run(mb, runs, work);
        } finally {
            if (dir == null) {
                LogicalBackupBenchmark.deleteTree(work);
            }
        }
    }

    private void run(int mb, int runs, Path work) throws IOException {
        try (PostgresCluster pg = PostgresCluster.builder().conf("shared_buffers = 256MB").start();
             S3ProxyServer s3 = S3ProxyServer.start();
             DriveV3Fake drive = DriveV3Fake.start();
             HeapWatch heap = new HeapWatch()) {
            pg.createDatabase(SOURCE);
            DemoDatabase.randomText(mb).applyTo(pg, SOURCE);
            S3RepositoryConfig config = S3RepositoryConfig.builder(S3ProxyServer.uniqueBucket("bench"))
                    .endpoint(s3.endpoint()).pathStyle(true).region(S3ProxyServer.REGION)
                    .credentials(S3Credentials.ofStatic(s3.accessKey(), s3.secretKey())).createBucket(true).build();
            out.printf("machine: %d processors, Java %s, -Xmx %s, PostgreSQL %s; S3 upload memory %s, first part %s; "
                    + "table %d MiB%n", Runtime.getRuntime().availableProcessors(), Runtime.version(),
                    Units.bytes(HeapWatch.maxHeap()), pg.version(), Units.bytes(config.uploadMemory()),
                    Units.bytes(config.partSize()), mb);
            Secret identity = AgeKeys.generateIdentity();
            PipelineOptions options = PipelineOptions.defaults().withIntegrityKey(Secret.of(
                    "benchmark integrity key, not secret: 0123456789abcdef")).withEncryption(Encryption.x25519(identity));
            Path scratch = Files.createDirectories(work.resolve("scratch"));
            Map<String, Samples> times = new LinkedHashMap<>();
            Map<String, HeapWatch.Reading> heaps = new LinkedHashMap<>();
            Map<String, Long> scratchPeak = new LinkedHashMap<>();
            String clientSecret = "GOCSPX-bench-" + UUID.randomUUID();
            String refreshToken = "1//bench-" + UUID.randomUUID();
            drive.registerOAuthClient(DRIVE_CLIENT, clientSecret, refreshToken);
            DriveCredentials credentials = ((DriveCredentials.OAuth) DriveCredentials.oauth(DRIVE_CLIENT,
                    Secret.of(clientSecret), Secret.of(refreshToken))).withTokenUri(drive.tokenUri());
            try (S3Repository s3Repository = S3Repository.of(config);
                 GoogleDriveRepository driveRepository = GoogleDriveRepository.of(GoogleDriveRepositoryConfig
                         .builder(credentials).rootUrl(URI.create(drive.rootUrl())).folder("pgvault/bench").build())) {
                Map<String, Repository> repositories = new LinkedHashMap<>();
                repositories.put("local", LocalRepository.at(work.resolve("local")));
                repositories.put("s3", s3Repository);
                repositories.put("drive", driveRepository);
                for (DumpFormat format : List.of(DumpFormat.PLAIN, DumpFormat.CUSTOM)) {
                    for (int run = 1; run <= runs; run++) {
                        // rotate which store goes first: local, s3, drive / s3, drive, local / drive, local, s3
                        List<String> stores = List.of("local", "s3", "drive");
                        List<String> order = new ArrayList<>();
                        for (int i = 0; i < stores.size(); i++) {
                            order.add(stores.get((run - 1 + i) % stores.size()));
                        }
                        for (String where : order) {
                            PgVault vault = PgVault.builder()
                                    .strategy(new PgDumpStrategy(PgDumpConfig.builder()
                                            .connection(pg.connection(SOURCE)).format(format).build()))
                                    .repository(repositories.get(where)).pipeline(options).scratchDirectory(scratch)
                                    .build();
                            String key = format.label() + " → " + where;
                            pg.psql("postgres", "CHECKPOINT");
                            heap.reset();
                            long start = System.nanoTime();
                            BackupSet set;
                            long peak;
                            try (ScratchSampler sampler = new ScratchSampler(scratch)) {
                                set = vault.backup();
                                sampler.close();
                                peak = sampler.peak();
                            }
                            Duration took = Duration.ofNanos(System.nanoTime() - start);
                            times.computeIfAbsent(key, k -> new Samples()).add(took, Duration.ZERO);
                            heaps.merge(key, heap.read(), HeapWatch.Reading::max);
                            scratchPeak.merge(key, peak, Math::max);
                            out.printf("  %-18s run %d: %s, %s stored%n", key, run, Units.seconds(took),
                                    Units.bytes(set.storedBytes()));
                            vault.catalog().delete(set.id());
                        }
                    }
                }
            }
            out.println();
            out.printf("## Results: --mb %d, %d runs, -Xmx %s, %s%n%n", mb, runs, Units.bytes(HeapWatch.maxHeap()),
                    Instant.now());
            out.println("| backup | median | store / local | runs (s) | heap peak pool | heap live after GC | peak scratch |");
            out.println("|---|---|---|---|---|---|---|");
            for (Map.Entry<String, Samples> e : times.entrySet()) {
                String local = e.getKey().replaceAll("(s3|drive)$", "local");
                HeapWatch.Reading r = heaps.get(e.getKey());
                out.printf("| %s | %s | %s | %s | %s | %s | %s |%n", e.getKey(), Units.seconds(e.getValue().medianWall()),
                        e.getKey().endsWith("local") ? "—" : e.getValue().ratioTo(times.get(local)), e.getValue().all(),
                        Units.bytes(r.peakUsed()), r.collections() == 0 ? "n/a" : Units.bytes(r.maxLiveAfterGc()),
                        Units.bytes(scratchPeak.get(e.getKey())));
            }
            out.printf("load average at the end: %.2f%n",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
