package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.Secret;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestConfig;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.backend.pgbackrest.PgCluster;
import io.pgvault.testkit.PostgresCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A PostgreSQL 15 cluster archiving into an encrypted posix pgBackRest repo (real pgBackRest, as the server's OS user,
 * everything under one directory), and pgBackRest facades over materialized repositories. One per test class.
 */
final class MirrorFixture implements AutoCloseable {
    static final Secret CIPHER = Secret.of("pgvault mirror test passphrase: do not use");
    static final Duration RECOVERY = Duration.ofMinutes(2);

    final Path base;
    final PostgresCluster pg;
    final PgBackRest pgbr;
    final String stanza;
    private final AtomicInteger dirs = new AtomicInteger();

    private MirrorFixture(Path base, PostgresCluster pg, PgBackRest pgbr, String stanza) {
        this.base = base;
        this.pg = pg;
        this.pgbr = pgbr;
        this.stanza = stanza;
    }

    static MirrorFixture start(String stanza) {
        Path base = serverDirectory("pgbr-mirror-");
        PostgresCluster pg = null;
        try {
            pg = PostgresCluster.builder().requireMajorVersion(15).baseDirectory(base)
                    .conf("wal_level = replica", "archive_mode = on", "archive_command = '/bin/false'")
                    .start();
            PgBackRest pgbr = PgBackRest.of(config(stanza, pg, pg.dataDirectory(), base.resolve("repo1"),
                    base.resolve("conf"), base.resolve("work")));
            pgbr.writeConfig();
            pg.configure("archive_command = " + PostgresCluster.quoteLiteral(pgbr.archiveCommand()));
            pg.restart();
            pgbr.stanzaCreate();
            return new MirrorFixture(base, pg, pgbr, stanza);
        } catch (RuntimeException e) {
            if (pg != null) {
                pg.close();
            }
            delete(base);
            throw e;
        }
    }

    private static PgBackRestConfig config(String stanza, PostgresCluster pg, Path dataDir, Path repo, Path conf,
            Path work) {
        return PgBackRestConfig.builder(stanza)
                .cluster(PgCluster.builder(dataDir).port(pg.port()).socketDirectory(pg.socketDirectory())
                        .binDir(pg.binDir()).build())
                .repo(PgBackRestRepo.posix(repo).cipher(CIPHER).build())
                .configFile(conf.resolve("pgbackrest.conf"))
                .workDirectory(work)
                .launcher(pg.serverLauncher())
                .archiveTimeout(Duration.ofSeconds(30))
                .processMax(2)
                .build();
    }

    /**
     * A pgBackRest that knows only a materialized repository: the source repo plays no part in what it restores.
     */
    PgBackRest restoreTool(Path materialized, Path dataDir) {
        int n = dirs.incrementAndGet();
        PgBackRest tool = PgBackRest.of(config(stanza, pg, dataDir, materialized, base.resolve("conf-restore-" + n),
                base.resolve("work-restore-" + n)));
        tool.writeConfig();
        return tool;
    }

    /** @return a path under the fixture's directory that does not exist yet, whose parent the server's user owns */
    Path newDirectory(String name) {
        return base.resolve(name + "-" + dirs.incrementAndGet());
    }

    PostgresCluster startRestored(Path dataDirectory) {
        return PostgresCluster.builder().requireMajorVersion(15).baseDirectory(base)
                .existingDataDirectory(dataDirectory).start().awaitRecoveryEnd(RECOVERY);
    }

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
