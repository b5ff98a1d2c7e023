package io.pgvault.examples;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.api.Compression;
import io.pgvault.api.Encryption;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.RestoreResult;
import io.pgvault.api.StoredObject;
import io.pgvault.spi.BackupContext;
import io.pgvault.spi.BackupStrategy;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.ReadContext;
import io.pgvault.spi.Repository;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;
import io.pgvault.storage.local.LocalRepository;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where pgvault's time goes on the JVM side of a backup: the same plain dump, read from a pipe ({@code cat file},
 * as pgvault reads pg_dump's standard output), goes through {@link PgVault#backup()} with one stage added at a time,
 * into a repository that discards the bytes or into a {@link LocalRepository}. No PostgreSQL is involved, so each
 * line is the cost of the JVM side alone; compare with the shell's {@code zstd -3} on the same bytes.
 */
public final class PipelineProfile {
    private static final int BUFFER = 64 * 1024; // as backend-pgdump copies pg_dump's output

    private PipelineProfile() {
    }

    /**
     * Profiles an existing uncompressed dump file: {@code PipelineProfile FILE [WORK_DIR]}.
     *
     * @param args the dump file, and where a LocalRepository may write (default: next to the file)
     */
    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: PipelineProfile DUMP_FILE [WORK_DIR]");
            System.exit(2);
        }
        Path dump = Path.of(args[0]).toAbsolutePath();
        Path work = args.length > 1 ? Path.of(args[1]) : dump.getParent();
        run(dump, work, Encryption.x25519(io.pgvault.api.AgeKeys.generateIdentity()), System.out);
    }

    /**
     * @param dump an uncompressed dump
     * @param work where a LocalRepository may write
     * @param out  where the table goes
     */
    static void run(Path dump, Path work, Encryption encryption, PrintStream out) {
        out.println("| JVM side of a backup, one stage added at a time (no database) | wall | JVM CPU | MB/s |");
        out.println("|---|---|---|---|");
        long bytes = dump.toFile().length();
        ShellBaseline.Run zstd = ShellBaseline.run("zstd -3 -q -c " + ShellBaseline.quote(dump) + " > /dev/null");
        row(out, "shell: zstd -3 of the file (one process, for reference)", zstd.wall(), zstd.childCpu(), bytes);
        long cpu = cpuNanos();
        long start = System.nanoTime();
        drain(dump);
        row(out, "read the pipe only (64 KiB reads), discard", since(start), Duration.ofNanos(cpuNanos() - cpu),
                bytes);
        profile(out, "pipeline none + SHA-256 x2, discarding repository", dump, Compression.none(),
                Encryption.none(), new DiscardingRepository(), bytes);
        profile(out, "+ zstd 3 (workers 0), discarding", dump, Compression.zstd(3, 0), Encryption.none(),
                new DiscardingRepository(), bytes);
        profile(out, "+ age X25519, discarding", dump, Compression.zstd(3, 0), encryption,
                new DiscardingRepository(), bytes);
        profile(out, "+ LocalRepository (SHA-256, write, fsync): the full JVM side", dump, Compression.zstd(3, 0),
                encryption, LocalRepository.at(work.resolve("profile-local")), bytes);
        profile(out, "same with zstd workers 2", dump, Compression.zstd(3, 2), encryption,
                LocalRepository.at(work.resolve("profile-local")), bytes);
    }

    private static void profile(PrintStream out, String name, Path dump, Compression compression,
            Encryption encryption, Repository repository, long bytes) {
        PgVault vault = PgVault.builder().acceptUnauthenticated(true).strategy(new PipeStrategy(dump)).repository(repository)
                .pipeline(new PipelineOptions(compression, encryption)).build();
        long cpu = cpuNanos();
        long start = System.nanoTime();
        BackupSet set = vault.backup();
        Duration wall = since(start);
        row(out, name, wall, Duration.ofNanos(cpuNanos() - cpu), bytes);
        vault.catalog().delete(set.id());
    }

    private static void row(PrintStream out, String name, Duration wall, Duration cpu, long bytes) {
        out.printf(Locale.ROOT, "| %s | %s | %s | %.0f |%n", name, Units.seconds(wall), Units.seconds(cpu),
                bytes / 1e6 / (wall.toNanos() / 1e9));
    }

    private static void drain(Path dump) {
        try (ToolProcess p = cat(dump); InputStream in = p.stdout()) {
            p.stdin().close();
            byte[] buf = new byte[BUFFER];
            while (in.read(buf) >= 0) {
                // discard
            }
            p.await();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ToolProcess cat(Path file) {
        return ProcessRunner.local().start(ToolCommand.builder("cat", "cat").arg("--", file.toString()).build());
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** "Dumps" a file by reading it from {@code cat}'s standard output, as the pg_dump strategy reads pg_dump's. */
    private record PipeStrategy(Path dump) implements BackupStrategy {
        @Override
        public String name() {
            return "profile";
        }

        @Override
        public io.pgvault.spi.SetFacts backup(BackupContext context) {
            StoredObject object;
            try (ToolProcess p = cat(dump)) {
                p.stdin().close();
                object = context.writeObject("dump.sql", Map.of(), out -> {
                    byte[] buf = new byte[BUFFER];
                    InputStream in = p.stdout();
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        out.write(buf, 0, n);
                    }
                    p.await();
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new io.pgvault.spi.SetFacts(BackupType.LOGICAL, BackupStatus.COMPLETE, "file", Optional.empty(), Map.of());
        }

        @Override
        public RestoreResult restore(BackupSet set, RestoreRequest request, ReadContext context) {
            throw new UnsupportedOperationException("profiling backs up only");
        }

        @Override
        public List<String> verifyStructure(BackupSet set, ReadContext context) {
            return List.of();
        }
    }

    /** Counts and discards data objects; keeps manifests, which the catalog reads back. */
    private static final class DiscardingRepository implements Repository {
        private final Map<String, byte[]> kept = new ConcurrentHashMap<>();
        private final Map<String, Long> sizes = new ConcurrentHashMap<>();

        @Override
        public String id() {
            return "discard:";
        }

        @Override
        public ObjectInfo put(String key, ObjectWriter writer) {
            boolean keep = key.startsWith("manifests/");
            ByteArrayOutputStream manifest = new ByteArrayOutputStream();
            long[] count = new long[1];
            OutputStream sink = new OutputStream() {
                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    count[0] += len;
                    if (keep) {
                        manifest.write(b, off, len);
                    }
                }
            };
            try {
                writer.writeTo(sink);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (keep) {
                kept.put(key, manifest.toByteArray());
            }
            sizes.put(key, count[0]);
            return new ObjectInfo(key, count[0], Instant.now(), Optional.empty());
        }

        @Override
        public InputStream open(String key) {
            byte[] b = kept.get(key);
            if (b == null) {
                throw new NotFoundException("discarded: " + key);
            }
            return new ByteArrayInputStream(b);
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            return Optional.ofNullable(sizes.get(key)).map(s -> new ObjectInfo(key, s, Instant.now(),
                    Optional.empty()));
        }

        @Override
        public List<ObjectInfo> list(String prefix) {
            return sizes.keySet().stream().filter(k -> k.startsWith(prefix)).sorted()
                    .map(k -> new ObjectInfo(k, sizes.get(k), Instant.now(), Optional.empty())).toList();
        }

        @Override
        public void delete(String key) {
            kept.remove(key);
            sizes.remove(key);
        }
    }
}
