package io.pgvault.operations;

import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestConfig;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.backend.pgbackrest.PgCluster;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.testkit.Directories;
import io.pgvault.testkit.MatrixPair;
import io.pgvault.testkit.PostgresCluster;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A PostgreSQL cluster (15, or a {@link MatrixPair}'s) archiving through real pgBackRest into an unencrypted posix repo ({@code base/repo1}),
 * everything under one directory the server's OS user owns, as TESTING.md prescribes. Share one per test class;
 * {@link #close()} stops the cluster and deletes the directory.
 */
public final class ArchivingCluster implements AutoCloseable {
    /** The directory everything lives under. */
    public final Path base;
    /** The running cluster, archiving with {@code pgbackrest archive-push}. */
    public final PostgresCluster pg;
    /** pgBackRest for the created stanza; its config is written. */
    public final PgBackRest pgbr;

    private ArchivingCluster(Path base, PostgresCluster pg, PgBackRest pgbr) {
        this.base = base;
        this.pg = pg;
        this.pgbr = pgbr;
    }

    /** @return whether the pgbackrest command runs here (tests assume it, with a message, when it does not) */
    public static boolean pgbackrestInstalled() {
        try {
            ProcessRunner.local().run(ToolCommand.builder("pgbackrest", "pgbackrest").arg("version")
                    .timeout(Duration.ofSeconds(30)).build());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * @param prefix         the start of the directory's name under {@code /tmp}
     * @param stanza         the stanza to create
     * @param archiveTimeout how long pgBackRest waits for WAL to be archived
     * @return a running cluster whose archive_command pushes into the created stanza
     */
    public static ArchivingCluster start(String prefix, String stanza, Duration archiveTimeout) {
        return start(MatrixPair.PG15_PGBR245, prefix, stanza, archiveTimeout);
    }

    /**
     * @param pair           the PostgreSQL server and pgBackRest to run (the caller has checked
     *                       {@link MatrixPair#assumeInstalled()})
     * @param prefix         the start of the directory's name under {@code /tmp}
     * @param stanza         the stanza to create
     * @param archiveTimeout how long pgBackRest waits for WAL to be archived
     * @return a running cluster of the pair's version whose archive_command pushes into the created stanza
     */
    public static ArchivingCluster start(MatrixPair pair, String prefix, String stanza, Duration archiveTimeout) {
        Path base = Directories.createServerOwned(prefix);
        PostgresCluster pg = null;
        try {
            pg = pair.cluster().baseDirectory(base)
                    .conf("wal_level = replica", "archive_mode = on", "archive_command = '/bin/false'").start();
            PgBackRest pgbr = PgBackRest.of(PgBackRestConfig.builder(stanza)
                    .cluster(PgCluster.builder(pg.dataDirectory()).port(pg.port())
                            .socketDirectory(pg.socketDirectory()).binDir(pg.binDir()).build())
                    .repo(PgBackRestRepo.posix(base.resolve("repo1")).build())
                    .configFile(base.resolve("conf/pgbackrest.conf"))
                    .workDirectory(base.resolve("work"))
                    .launcher(pg.serverLauncher())
                    .archiveTimeout(archiveTimeout)
                    .processMax(2)
                    .executable(pair.executable(base).orElse("pgbackrest"))
                    .build());
            pgbr.writeConfig();
            pg.configure("archive_command = " + PostgresCluster.quoteLiteral(pgbr.archiveCommand()));
            pg.restart();
            pgbr.stanzaCreate();
            return new ArchivingCluster(base, pg, pgbr);
        } catch (RuntimeException e) {
            if (pg != null) {
                pg.close();
            }
            Directories.deleteRecursively(base);
            throw e;
        }
    }

    /** Stops the cluster and deletes the directory. */
    @Override
    public void close() {
        try {
            pg.close();
        } finally {
            Directories.deleteRecursively(base);
        }
    }
}
