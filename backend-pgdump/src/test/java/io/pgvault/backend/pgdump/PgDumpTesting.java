package io.pgvault.backend.pgdump;

import io.pgvault.api.Encryption;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.Secret;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.Repository;
import io.pgvault.spi.process.Launcher;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.PostgresCluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Shared helpers of the pg_dump integration tests. */
final class PgDumpTesting {
    /** A passphrase for tests; a low scrypt work factor keeps them fast. */
    static final Secret PASSPHRASE = Secret.of("correct horse battery staple (test)");
    /** Signs manifests when a test does not encrypt (ADR 0013). */
    static final Secret INTEGRITY_KEY = Secret.of("pgdump-tests-integrity-key-0123456789abcdef");

    private PgDumpTesting() {
    }

    /** @return none, age-scrypt (work factor 12) or age-x25519 */
    static Encryption encryption(String scheme) {
        return switch (scheme) {
            case "none" -> Encryption.none();
            case "passphrase" -> new Encryption.Passphrase(PASSPHRASE, 12);
            case "x25519" -> Encryption.x25519(io.pgvault.api.AgeKeys.generateIdentity());
            default -> throw new IllegalArgumentException(scheme);
        };
    }

    static PgVault vault(PgDumpConfig config, Repository repository, Encryption encryption) {
        return vault(config, repository, encryption, ProcessRunner.local());
    }

    static PgVault vault(PgDumpConfig config, Repository repository, Encryption encryption, ProcessRunner runner) {
        return PgVault.builder().strategy(new PgDumpStrategy(config)).repository(repository)
                .pipeline(PipelineOptions.defaults().withEncryption(encryption).withIntegrityKey(INTEGRITY_KEY))
                .processes(runner).build();
    }

    static LocalRepository repository(Path dir) {
        return LocalRepository.at(dir);
    }

    /** @return every key a reader of the repository can see */
    static List<String> visibleKeys(Repository repository) {
        return repository.list("").stream().map(ObjectInfo::key).toList();
    }

    /**
     * A full plain pg_dump of a database, as text. pg_dump 15.14+ writes psql restrict/unrestrict meta-command lines
     * holding a random key per run: those two lines are replaced by a constant; nothing else is normalized.
     */
    static String dumpText(PostgresCluster pg, String database) {
        return dumpText(pg, database, pg.binDir());
    }

    /** Like {@link #dumpText(PostgresCluster, String)} with the pg_dump in {@code clients}. */
    static String dumpText(PostgresCluster pg, String database, Path clients) {
        byte[] out = run(List.of(clients.resolve("pg_dump").toString(), "-h", pg.host(),
                "-p", Integer.toString(pg.port()), "-U", pg.user(), "-d", PgSession.conninfo(database)), null);
        return new String(out, StandardCharsets.UTF_8).lines()
                .map(l -> l.startsWith("\\restrict ") ? "\\restrict KEY"
                        : l.startsWith("\\unrestrict ") ? "\\unrestrict KEY" : l)
                .collect(Collectors.joining("\n"));
    }

    /** @return the names of the databases of a cluster */
    static Set<String> databases(PostgresCluster pg) {
        return pg.query("postgres", "SELECT datname FROM pg_database").stream().map(r -> r.get(0))
                .collect(Collectors.toSet());
    }

    /** @return databases left behind by a restore that failed (there must never be any) */
    static List<String> stagingLeftovers(PostgresCluster pg) {
        return databases(pg).stream().filter(d -> d.startsWith("pgvault_restore_")).toList();
    }

    /**
     * Runs a command, failing on a non-zero exit with its stderr.
     *
     * @param argv  the command
     * @param stdin a file to feed, or null
     * @return its standard output
     */
    static byte[] run(List<String> argv, Path stdin) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        try {
            Process p = pb.start();
            if (stdin == null) {
                p.getOutputStream().close();
            }
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            byte[] out = readAll(p.getInputStream());
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(argv + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(argv + " exited with " + p.exitValue() + ": "
                        + new String(err.join(), StandardCharsets.UTF_8));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A launcher that runs tools locally and remembers every argument list it produced. */
    static final class RecordingLauncher implements Launcher {
        private final Launcher delegate = Launcher.local();
        private final List<List<String>> argvs = Collections.synchronizedList(new ArrayList<>());
        private final List<Set<String>> envNames = Collections.synchronizedList(new ArrayList<>());

        @Override
        public List<String> wrap(List<String> command, Set<String> names) {
            List<String> argv = delegate.wrap(command, names);
            argvs.add(argv);
            envNames.add(Set.copyOf(names));
            return argv;
        }

        @Override
        public String describe() {
            return "recording " + delegate.describe();
        }

        List<List<String>> argvs() {
            synchronized (argvs) {
                return List.copyOf(argvs);
            }
        }

        List<Set<String>> envNames() {
            synchronized (envNames) {
                return List.copyOf(envNames);
            }
        }
    }

    /** @return a map for readable assertion messages */
    static Map<String, Long> rowCounts(PostgresCluster pg, String database) {
        return io.pgvault.testkit.DemoDatabase.rowCounts(pg, database);
    }

    static void writeExecutable(Path file, String script) {
        try {
            Files.writeString(file, script);
            file.toFile().setExecutable(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
