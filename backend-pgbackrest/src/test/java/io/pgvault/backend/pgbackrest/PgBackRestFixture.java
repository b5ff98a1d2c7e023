package io.pgvault.backend.pgbackrest;

import io.pgvault.api.Secret;
import io.pgvault.testkit.PostgresCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * One PostgreSQL 15 cluster archiving into a pgBackRest stanza with a posix repo, everything under one directory of
 * its own (config, log, lock, spool, repos, restore targets), as TESTING.md prescribes: pgBackRest runs as the
 * server's OS user with pgvault's own {@code --config}. Share one per test class; {@link #close()} stops the cluster
 * and deletes the directory.
 */
final class PgBackRestFixture implements AutoCloseable {
    /** A cipher passphrase for tests. */
    static final Secret CIPHER = Secret.of("pgvault test passphrase: do not use");
    static final Duration RECOVERY = Duration.ofMinutes(2);

    final Path base;
    final PostgresCluster pg;
    final PgBackRestConfig config;
    final PgBackRest pgbr;
    private final AtomicInteger dirs = new AtomicInteger();

    private PgBackRestFixture(Path base, PostgresCluster pg, PgBackRestConfig config) {
        this.base = base;
        this.pg = pg;
        this.config = config;
        this.pgbr = PgBackRest.of(config);
    }

    /**
     * @param stanza    the stanza
     * @param customize changes to the default config (one posix repo at {@code base/repo1}, encrypted)
     * @return a running cluster with archiving into a created stanza
     */
    static PgBackRestFixture start(String stanza, UnaryOperator<PgBackRestConfig.Builder> customize) {
        return start(stanza, (b, base) -> customize.apply(b));
    }

    /**
     * @param stanza    the stanza
     * @param customize changes to the default config, given the fixture's directory (e.g. to add repos under it)
     * @return a running cluster with archiving into a created stanza
     */
    static PgBackRestFixture start(String stanza,
            BiFunction<PgBackRestConfig.Builder, Path, PgBackRestConfig.Builder> customize) {
        Path base = serverDirectory("pgbr-");
        PostgresCluster pg = null;
        try {
            pg = PostgresCluster.builder().requireMajorVersion(15).baseDirectory(base)
                    .conf("wal_level = replica", "archive_mode = on", "archive_command = '/bin/false'",
                            "max_wal_senders = 3")
                    .start();
            PgBackRestConfig config = customize.apply(configFor(stanza, pg, base), base).build();
            PgBackRestFixture f = new PgBackRestFixture(base, pg, config);
            f.pgbr.writeConfig();
            pg.configure("archive_command = " + PostgresCluster.quoteLiteral(f.pgbr.archiveCommand()));
            pg.restart();
            f.pgbr.stanzaCreate();
            return f;
        } catch (RuntimeException e) {
            if (pg != null) {
                pg.close();
            }
            delete(base);
            throw e;
        }
    }

    /** @return the default config: one encrypted posix repo, per-run paths, zst, pgBackRest as the server's user */
    static PgBackRestConfig.Builder configFor(String stanza, PostgresCluster pg, Path base) {
        return PgBackRestConfig.builder(stanza)
                .cluster(PgCluster.builder(pg.dataDirectory()).port(pg.port()).socketDirectory(pg.socketDirectory())
                        .binDir(pg.binDir()).build())
                .repo(PgBackRestRepo.posix(base.resolve("repo1")).cipher(CIPHER).build())
                .configFile(base.resolve("conf/pgbackrest.conf"))
                .workDirectory(base.resolve("work"))
                .launcher(pg.serverLauncher())
                .archiveTimeout(Duration.ofSeconds(30))
                .processMax(2);
    }

    /** @return a path under the fixture's directory that does not exist yet, whose parent the server's user owns */
    Path newDirectory(String name) {
        return base.resolve(name + "-" + dirs.incrementAndGet());
    }

    /** Starts a restored data directory with the testkit (deleted on close) and waits for the end of recovery. */
    PostgresCluster startRestored(Path dataDirectory) {
        return PostgresCluster.builder().requireMajorVersion(15).baseDirectory(base)
                .existingDataDirectory(dataDirectory).start().awaitRecoveryEnd(RECOVERY);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a new 0755 directory owned by the server's OS user (postgres when the JVM is root) */
    static Path serverDirectory(String prefix) {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), prefix);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            if ("root".equals(System.getProperty("user.name"))) {
                Files.setOwner(dir, FileSystems.getDefault().getUserPrincipalLookupService()
                        .lookupPrincipalByName(PostgresCluster.SUPERUSER));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            pg.close();
        } finally {
            delete(base);
        }
    }
}
