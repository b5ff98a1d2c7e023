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
            PgVault primary = PgVault.builder().strategy(new Generated(size)).repository(LocalRepository.at(primaryDir))
                    .pipeline(PipelineOptions.defaults().withCompression(Compression.none())).build();
            BackupSet set = primary.backup();
            Path stored = primaryDir.resolve(set.objects().get(0).key());
            System.out.printf("object: %d MiB logical, %d MiB stored (uncompressed on the primary)%n", size >> 20,
                    set.storedBytes() >> 20);
            PipelineOptions reencoded = PipelineOptions.defaults()
                    .withEncryption(Encryption.x25519(AgeKeys.generateIdentity()));

            double baseline = median(i -> jdkCopy(stored, base.resolve("jdk-" + i)));
            report("JDK copy + fsync + SHA-256 of the copy (baseline)", baseline, baseline);
            report("tier, byte for byte, READ_BACK", median(i -> tierCopy(primaryDir, base, "bytes-" + i,
                    Tier.builder("t", LocalRepository.at(base.resolve("bytes-" + i))))), baseline);
            report("tier, byte for byte, REPOSITORY_DIGEST", median(i -> tierCopy(primaryDir, base, "digest-" + i,
                    Tier.builder("t", LocalRepository.at(base.resolve("digest-" + i)))
                            .verification(CopyVerification.REPOSITORY_DIGEST))), baseline);
            report("tier, re-encoded zstd-3+age X25519, READ_BACK", median(i -> tierCopy(primaryDir, base, "age-" + i,
                    Tier.builder("t", LocalRepository.at(base.resolve("age-" + i))).pipeline(reencoded))), baseline);
        } finally {
            try (Stream<Path> files = Files.walk(base)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void report(String what, double seconds, double baseline) {
        System.out.printf("%-48s %7.2f s  %5.2fx%n", what, seconds, seconds / baseline);
    }

    /** Runs five times (the first as warm-up is kept out) and returns the median of the other four. */
    private static double median(Function<Integer, Double> run) {
        run.apply(0);
        List<Double> times = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            times.add(run.apply(i));
        }
        times.sort(Double::compare);
        return (times.get(1) + times.get(2)) / 2;
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
        PgVault vault = PgVault.builder().strategy(new Generated(0)).repository(LocalRepository.at(primaryDir))
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
        public BackupSet backup(BackupContext ctx) {
            StoredObject o = ctx.writeObject("data.bin", Map.of(),
                    out -> new GeneratedContent(size, 42).writeTo(out));
            return new BackupSet(ctx.id(), name(), BackupType.LOGICAL, BackupStatus.COMPLETE, "bench",
                    ctx.startedAt(), ctx.clock().instant(), Optional.empty(), List.of(o), Map.of(), Optional.empty());
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
