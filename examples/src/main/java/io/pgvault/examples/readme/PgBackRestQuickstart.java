package io.pgvault.examples.readme;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.api.Secret;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestConfig;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.backend.pgbackrest.PgCluster;
import io.pgvault.spi.process.Launcher;
import io.pgvault.storage.s3.S3RepositoryConfig;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The README's pgBackRest snippet, in the order that works on a fresh stanza: configuration, {@code writeConfig()}
 * (without it every command fails with {@code [055] unable to open missing file pgbackrest.conf}), the server's
 * {@code archive_command}, {@code stanzaCreate()}, and only then a backup.
 */
public final class PgBackRestQuickstart {
    private PgBackRestQuickstart() {
    }

    /**
     * @param dataDir  the cluster's data directory
     * @param s3Config where the repo lives
     * @param pass     the repo's cipher passphrase
     * @param conf     where pgvault writes {@code pgbackrest.conf}
     * @param jdbcUrl  a superuser connection to the cluster, e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres}
     * @return the first full backup
     * @throws SQLException when {@code archive_command} cannot be set
     */
    public static BackupSet firstBackup(Path dataDir, S3RepositoryConfig s3Config, Secret pass, Path conf,
            String jdbcUrl) throws SQLException {
        // tag::pgbackrest[]
        PgBackRest pgbr = PgBackRest.of(PgBackRestConfig.builder("main").cluster(PgCluster.builder(dataDir).build())
                .repo(PgBackRestRepo.s3(s3Config).cipher(pass).build()).configFile(conf)
                .launcher(Launcher.asUser("postgres")).build());
        pgbr.writeConfig();                                        // pgbackrest.conf + 0600 secrets file, as postgres
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null);
                Statement sql = c.createStatement()) {             // archive_mode = on must be set already (restart)
            sql.execute("ALTER SYSTEM SET archive_command = '" + pgbr.archiveCommand().replace("'", "''") + "'");
            sql.execute("SELECT pg_reload_conf()");
        }
        pgbr.stanzaCreate();                                       // once per stanza, again after adding a repo
        pgbr.check();                                              // a WAL segment reaches every repo
        BackupSet full = pgbr.backup(BackupType.FULL, 1);          // PITR: pgbr.restore(PhysicalRestoreRequest...)
        // end::pgbackrest[]
        return full;
    }
}
