package io.pgvault.backend.pgbackrest;

import io.pgvault.api.Secret;
import io.pgvault.testkit.Directories;
import io.pgvault.testkit.MatrixPair;
import io.pgvault.testkit.PostgresCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * One PostgreSQL cluster (15 unless a {@link MatrixPair} says otherwise) archiving into a pgBackRest stanza with a posix repo, everything under one directory of
 * its own (config, log, lock, spool, repos, restore targets), as TESTING.md prescribes: pgBackRest runs as the
 * server's OS user with pgvault's own {@code --config}. Share one per test class; {@link #close()} stops the cluster
 * and deletes the directory. Public for the tests of {@code mirror}.
 */
public final class PgBackRestFixture implements AutoCloseable {
    /** A cipher passphrase for tests. */
    static final Secret CIPHER = Secret.of("pgvault test passphrase: do not use");
    static final Duration RECOVERY = Duration.ofMinutes(2);

    public final Path base;
    public final PostgresCluster pg;
    final PgBackRestConfig config;
    public final PgBackRest pgbr;
    /** The versions this fixture runs. */
    public final MatrixPair pair;
    private final AtomicInteger dirs = new AtomicInteger();

    private PgBackRestFixture(MatrixPair pair, Path base, PostgresCluster pg, PgBackRestConfig config) {
        this.pair = pair;
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
    public static PgBackRestFixture start(String stanza, UnaryOperator<PgBackRestConfig.Builder> customize) {
        return start(stanza, (b, base) -> customize.apply(b));
    }

    /**
     * @param stanza    the stanza
     * @param customize changes to the default config, given the fixture's directory (e.g. to add repos under it)
     * @return a running cluster with archiving into a created stanza
     */
    public static PgBackRestFixture start(String stanza,
            BiFunction<PgBackRestConfig.Builder, Path, PgBackRestConfig.Builder> customize) {
        return start(MatrixPair.PG15_PGBR245, stanza, customize);
    }

    /**
     * @param pair      the PostgreSQL server and pgBackRest to run; the caller has checked
     *                  {@link MatrixPair#assumeInstalled()}
     * @param stanza    the stanza
     * @param customize changes to the default config, given the fixture's directory
     * @return a running cluster of the pair's version with archiving into a stanza the pair's pgBackRest created
     */
    public static PgBackRestFixture start(MatrixPair pair, String stanza,
            BiFunction<PgBackRestConfig.Builder, Path, PgBackRestConfig.Builder> customize) {
        Path base = Directories.createServerOwned("pgbr-");
        PostgresCluster pg = null;
        try {
            pg = pair.cluster().baseDirectory(base)
                    .conf("wal_level = replica", "archive_mode = on", "archive_command = '/bin/false'",
                            "max_wal_senders = 3")
                    .start();
            PgBackRestConfig.Builder defaults = configFor(stanza, pg, base);
            pair.executable(base).ifPresent(defaults::executable);
            PgBackRestConfig config = customize.apply(defaults, base).build();
            PgBackRestFixture f = new PgBackRestFixture(pair, base, pg, config);
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
        return configFor(stanza, pg, pg.dataDirectory(), base.resolve("repo1"), base.resolve("conf"),
                base.resolve("work"));
    }

    /**
     * @param dataDir the cluster's data directory as pgBackRest should see it (a restore target, for a restore tool)
     * @param repo    the one posix repo, encrypted with {@link #CIPHER}
     * @param confDir where {@code pgbackrest.conf} goes
     * @param work    the lock, log and spool directory
     * @return a config like {@link #configFor(String, PostgresCluster, Path)} with these paths
     */
    static PgBackRestConfig.Builder configFor(String stanza, PostgresCluster pg, Path dataDir, Path repo,
            Path confDir, Path work) {
        return configFor(stanza, pg, dataDir, repo, confDir, work, CIPHER);
    }

    /** Like the above with the repo encrypted with {@code cipher}. */
    public static PgBackRestConfig.Builder configFor(String stanza, PostgresCluster pg, Path dataDir, Path repo,
            Path confDir, Path work, Secret cipher) {
        return PgBackRestConfig.builder(stanza)
                .cluster(PgCluster.builder(dataDir).port(pg.port()).socketDirectory(pg.socketDirectory())
                        .binDir(pg.binDir()).build())
                .repo(PgBackRestRepo.posix(repo).cipher(cipher).build())
                .configFile(confDir.resolve("pgbackrest.conf"))
                .workDirectory(work)
                .launcher(pg.serverLauncher())
                .archiveTimeout(Duration.ofSeconds(30))
                .processMax(2);
    }

    /**
     * A pgBackRest for this fixture's stanza and cluster that knows only {@code repo} (e.g. a materialized mirror),
     * restoring into {@code dataDir}: the fixture's own repo plays no part in what it restores. Its config is written.
     *
     * @param repo    the posix repo, encrypted with {@link #CIPHER}
     * @param dataDir the restore target
     * @return the facade
     */
    public PgBackRest restoreTool(Path repo, Path dataDir) {
        return restoreTool(repo, dataDir, CIPHER);
    }

    /**
     * Like {@link #restoreTool(Path, Path)} for a repo encrypted with another passphrase.
     *
     * @param repo    the posix repo
     * @param dataDir the restore target
     * @param cipher  the repo's cipher passphrase
     * @return the facade
     */
    public PgBackRest restoreTool(Path repo, Path dataDir, Secret cipher) {
        int n = dirs.incrementAndGet();
        PgBackRest tool = PgBackRest.of(configFor(config.stanza(), pg, dataDir, repo, base.resolve("conf-restore-" + n),
                base.resolve("work-restore-" + n), cipher).executable(config.executable()).build());
        tool.writeConfig();
        return tool;
    }

    /** @return a path under the fixture's directory that does not exist yet, whose parent the server's user owns */
    public Path newDirectory(String name) {
        return base.resolve(name + "-" + dirs.incrementAndGet());
    }

    /** Starts a restored data directory with the testkit (deleted on close) and waits for the end of recovery. */
    public PostgresCluster startRestored(Path dataDirectory) {
        return pair.cluster().baseDirectory(base)
                .existingDataDirectory(dataDirectory).start().awaitRecoveryEnd(RECOVERY);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a tree the server's user may have written: {@link Directories#deleteRecursively(Path)}. */
    public static void delete(Path dir) {
        Directories.deleteRecursively(dir);
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
