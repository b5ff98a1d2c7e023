package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.testkit.MatrixPair;
import io.pgvault.testkit.PgBackRestBinaries;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A PostgreSQL major upgrade under a stanza, as an operator does it: a PostgreSQL 15 cluster archives into a
 * pgBackRest 2.55.1 stanza and is backed up; {@code pg_upgrade} (Debian 13's, from the PostgreSQL 17 package that
 * {@code scripts/install-packages} extracts) moves it to 17; pgvault refuses to back it up until
 * {@link PgBackRest#stanzaUpgrade()}, then backs it up and restores it on 17, and the set taken before the upgrade is
 * still listed with its own major version.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgBackRestMajorUpgradeIT {
    private static final MatrixPair FROM = new MatrixPair(15, PgBackRestBinaries.V2_55);
    private static final MatrixPair TO = MatrixPair.PG17_PGBR2551;
    private PgBackRestFixture f;
    private PostgresCluster upgraded;

    @BeforeAll
    void setUp() {
        TO.assumeInstalled();
        f = PgBackRestFixture.start(FROM, "upgrade", (b, base) -> b);
    }

    @AfterAll
    void tearDown() {
        if (upgraded != null) {
            upgraded.close();
        }
        if (f != null) {
            f.close();
        }
    }

    @Test
    @DisplayName("15 -> 17 with pg_upgrade: backups refused (STANZA_MISMATCH) until stanza-upgrade, then a full on 17 "
            + "restores; the set from 15 is still listed as 15")
    void upgrade() {
        f.pg.psql("postgres", "CREATE TABLE kept (id int); INSERT INTO kept SELECT generate_series(1, 700)");
        BackupSet before = f.pgbr.backup(BackupType.FULL, 1);
        assertThat(before.attribute(PgBackRestBackup.PG_VERSION)).contains("15");

        // a fresh 17 cluster made by the test kit as the 15 one was (same superuser, encoding, locale, checksums)
        upgraded = TO.cluster().baseDirectory(f.base)
                .conf("wal_level = replica", "archive_mode = on", "archive_command = '/bin/false'",
                        "max_wal_senders = 3").start();
        upgraded.stop();
        f.pg.stop();
        Path work = f.newDirectory("pg-upgrade");
        ProcessRunner asServer = new ProcessRunner(f.pg.serverLauncher());
        asServer.run(ToolCommand.builder("mkdir", "mkdir").arg(work.toString()).timeout(Duration.ofMinutes(1)).build());
        asServer.run(ToolCommand.builder("pg_upgrade", upgraded.binDir().resolve("pg_upgrade").toString())
                .args(List.of("-b", f.pg.binDir().toString(), "-B", upgraded.binDir().toString(),
                        "-d", f.pg.dataDirectory().toString(), "-D", upgraded.dataDirectory().toString(),
                        "-U", PostgresCluster.SUPERUSER, "-p", Integer.toString(PgBackRestFixture.freePort()),
                        "-P", Integer.toString(PgBackRestFixture.freePort())))
                .workingDirectory(work).timeout(Duration.ofMinutes(5)).build());
        upgraded.start();
        assertThat(upgraded.queryValue("postgres", "SELECT count(*) FROM kept")).isEqualTo("700");
        assertThat(upgraded.queryValue("postgres", "SHOW server_version_num")).startsWith("17");

        PgBackRestConfig.Builder config = f.config.toBuilder()
                .cluster(PgCluster.builder(upgraded.dataDirectory()).port(upgraded.port())
                        .socketDirectory(upgraded.socketDirectory()).binDir(upgraded.binDir()).build());
        PgBackRest pgbr = PgBackRest.of(config.build());
        pgbr.writeConfig();
        upgraded.configure("archive_command = " + PostgresCluster.quoteLiteral(pgbr.archiveCommand()));
        upgraded.restart();

        assertThatThrownBy(() -> pgbr.backup(BackupType.FULL, 1)).isInstanceOfSatisfying(PgBackRestException.class,
                e -> assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.STANZA_MISMATCH));

        pgbr.stanzaUpgrade();
        upgraded.psql("postgres", "INSERT INTO kept SELECT generate_series(701, 750)");
        BackupSet after = pgbr.backup(BackupType.FULL, 1);
        assertThat(after.attribute(PgBackRestBackup.PG_VERSION)).contains("17");
        assertThat(pgbr.info()).extracting(BackupSet::id).containsExactly(before.id(), after.id());
        assertThat(pgbr.info().get(0).attribute(PgBackRestBackup.PG_VERSION)).contains("15");

        Path restored = f.newDirectory("restored");
        pgbr.restore(PhysicalRestoreRequest.builder().set(after.id()).target(RestoreTarget.immediate())
                .targetAction(TargetAction.PROMOTE).dataDirectory(restored).build());
        try (PostgresCluster copy = TO.cluster().baseDirectory(f.base).existingDataDirectory(restored).start()
                .awaitRecoveryEnd(Duration.ofMinutes(2))) {
            assertThat(copy.queryValue("postgres", "SELECT count(*) FROM kept")).isEqualTo("750");
        }
    }
}
