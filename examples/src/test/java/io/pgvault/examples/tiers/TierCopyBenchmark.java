package io.pgvault.examples.tiers;

import io.pgvault.api.AgeKeys;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.api.Compression;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.RestoreResult;
import io.pgvault.api.StoredObject;
import io.pgvault.api.tier.CopyVerification;
import io.pgvault.api.tier.Tier;
import io.pgvault.spi.BackupContext;
import io.pgvault.spi.BackupStrategy;
import io.pgvault.spi.ReadContext;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.GeneratedContent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What a tier copy costs, against copying the same stored file with the JDK, syncing it and hashing the copy (the
 * least a durable, verified copy can do). Local disk to local disk, so the figures show pgvault's overhead, not a network's.
 *
 * <pre>
 * java -cp ... io.pgvault.examples.tiers.TierCopyBenchmark [MiB, default 256]
 * </pre>
 */
public final class TierCopyBenchmark {
    private TierCopyBenchmark() {
    }

    /** @param args {@code [MiB]} */
    public static void main(String[] args) throws Exception {
        long size = (args.length > 0 ? Long.parseLong(args[0]) : 256) << 20;
        Path base = Files.createTempDirectory("pgvault-tier-bench-");
        try {
            Path primaryDir = Files.createDirectories(base.resolve("primary"));
            PgVault primary = PgVault.builder().acceptUnauthenticated(true).strategy(new Generated(size)).repository(LocalRepository.at(primaryDir))
                    .pipeline(PipelineOptions.defaults().withCompression(Compression.none())).build();
            BackupSet set = primary.backup();
            Path stored = primaryDir.resolve(set.objects().get(0).key());
            System.out.printf("object: %d MiB logical, %d MiB stored (uncompressed on the primary)%n", size >> 20,
                    set.storedBytes() >> 20);
            PipelineOptions reencoded = PipelineOptions.defaults()
                    .withEncryption(Encryption.x25519(AgeKeys.generateIdentity()));

            List<String> names = List.of("JDK copy + fsync + SHA-256 of the copy (baseline)",
                    "tier, byte for byte, READ_BACK", "tier, byte for byte, REPOSITORY_DIGEST",
                    "tier, re-encoded zstd-3+age X25519, READ_BACK");
            List<Function<Integer, Double>> variants = List.of(
                    i -> jdkCopy(stored, base.resolve("jdk-" + i)),
                    i -> tierCopy(primaryDir, base, "bytes-" + i,
                            Tier.builder("t", LocalRepository.at(base.resolve("bytes-" + i)))),
                    i -> tierCopy(primaryDir, base, "digest-" + i,
                            Tier.builder("t", LocalRepository.at(base.resolve("digest-" + i)))
                                    .verification(CopyVerification.REPOSITORY_DIGEST)),
                    i -> tierCopy(primaryDir, base, "age-" + i,
                            Tier.builder("t", LocalRepository.at(base.resolve("age-" + i))).pipeline(reencoded)));
            // every variant once as warm-up, then ROUNDS rounds in rotating order, so that no variant always follows
            // the same one (page cache and writeback state); each round's copies are deleted before the next
            List<List<Double>> times = new ArrayList<>();
            for (int v = 0; v < variants.size(); v++) {
                variants.get(v).apply(0);
                times.add(new ArrayList<>());
            }
            deleteCopies(base);
            for (int round = 1; round <= ROUNDS; round++) {
                for (int k = 0; k < variants.size(); k++) {
                    int v = (k + round) % variants.size();
                    times.get(v).add(variants.get(v).apply(round));
                }
                deleteCopies(base);
            }
            double baseline = median(times.get(0));
            for (int v = 0; v < variants.size(); v++) {
                report(names.get(v), median(times.get(v)), baseline);
            }
        } finally {
            try (Stream<Path> files = Files.walk(base)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void report(String what, double seconds, double baseline) {
        System.out.printf("%-48s %7.2f s  %5.2fx%n", what, seconds, seconds / baseline);
    }

    private static final int ROUNDS = 4;

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Removes the copies (every directory but the primary), so that the disk does not fill over the rounds. */
    private static void deleteCopies(Path base) throws IOException {
        try (Stream<Path> dirs = Files.list(base)) {
            for (Path dir : dirs.filter(d -> !d.getFileName().toString().equals("primary")).toList()) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static double jdkCopy(Path stored, Path target) {
        try {
            long start = System.nanoTime();
            Files.createDirectories(target);
            Path copy = target.resolve("copy");
            Files.copy(stored, copy);
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(copy,
                    java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true); // as durable as a repository's put
            }
            try (InputStream in = new DigestInputStream(Files.newInputStream(copy),
                    MessageDigest.getInstance("SHA-256"))) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return (System.nanoTime() - start) / 1e9;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double tierCopy(Path primaryDir, Path base, String name, Tier.Builder tier) {
        try {
            Files.createDirectories(base.resolve(name));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        PgVault vault = PgVault.builder().acceptUnauthenticated(true).strategy(new Generated(0)).repository(LocalRepository.at(primaryDir))
                .tier(tier.build()).build();
        long start = System.nanoTime();
        if (!vault.sync().succeeded()) {
            throw new IllegalStateException("copy failed");
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** One object of generated bytes. */
    private record Generated(long size) implements BackupStrategy {
        @Override
        public String name() {
            return "generated";
        }

        @Override
        public io.pgvault.spi.SetFacts backup(BackupContext ctx) {
            StoredObject o = ctx.writeObject("data.bin", Map.of(),
                    out -> new GeneratedContent(size, 42).writeTo(out));
            return new io.pgvault.spi.SetFacts(BackupType.LOGICAL, BackupStatus.COMPLETE, "bench", Optional.empty(), Map.of());
        }

        @Override
        public RestoreResult restore(BackupSet set, RestoreRequest request, ReadContext ctx) {
            throw new UnsupportedOperationException("a benchmark strategy");
        }

        @Override
        public List<String> verifyStructure(BackupSet set, ReadContext ctx) {
            return List.of();
        }
    }
}
