package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.testkit.MatrixPair;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Backups from a standby ({@code pg2-*}) on PostgreSQL 17 and pgBackRest 2.55.1: a streaming standby made with the
 * server's own {@code pg_basebackup} (the whole Debian 13 package, clients included, that
 * {@code scripts/install-packages} extracts), {@link BackupStandby#YES} copies from it and the set restores,
 * {@link BackupStandby#PREFER} falls back to the primary when it is down and {@code YES} then fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgBackRestStandbyIT {
    private PgBackRestFixture f;

    /** @return the versions this class runs on (PREFER needs pgBackRest 2.54 or later) */
    MatrixPair pair() {
        return MatrixPair.PG17_PGBR2551;
    }

    @BeforeAll
    void setUp() {
        pair().assumeInstalled();
        f = PgBackRestFixture.start(pair(), "standby", (b, base) -> b);
    }

    @AfterAll
    void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    @DisplayName("a standby (pg2-*): YES backs up from it and the set restores; with it stopped PREFER uses the "
            + "primary and YES fails")
    void standby() {
        f.pg.psql("postgres", "CREATE TABLE kept (id int); INSERT INTO kept SELECT generate_series(1, 500)");
        Path data = f.newDirectory("standby");
        new ProcessRunner(f.pg.serverLauncher()).run(ToolCommand.builder("pg_basebackup",
                f.pg.binDir().resolve("pg_basebackup").toString())
                .args(List.of("-D", data.toString(), "-R", "-X", "stream", "-c", "fast", "-h", PostgresCluster.HOST,
                        "-p", Integer.toString(f.pg.port()), "-U", PostgresCluster.SUPERUSER))
                .timeout(Duration.ofMinutes(2)).build());
        try (PostgresCluster standby = pair().cluster().baseDirectory(f.base).existingDataDirectory(data).start()) {
            assertThat(standby.queryValue("postgres", "SELECT pg_is_in_recovery()")).isEqualTo("t");
            assertThat(standby.queryValue("postgres", "SHOW server_version_num")).startsWith(
                    Integer.toString(pair().postgresMajor()));
            PgBackRestConfig.Builder config = f.config.toBuilder()
                    .configFile(f.newDirectory("conf-standby").resolve("pgbackrest.conf"))
                    .standby(PgCluster.builder(data).port(standby.port()).socketDirectory(standby.socketDirectory())
                            .build());
            PgBackRest yes = PgBackRest.of(config.backupStandby(BackupStandby.YES).build());
            yes.writeConfig();
            assertThat(yes.configText()).contains("backup-standby=y\n", "pg2-path=" + data + "\n",
                    "pg2-port=" + standby.port() + "\n");

            long logged = backupLogSize();
            BackupSet fromStandby = yes.backup(BackupType.FULL, 1);
            assertThat(backupLogSince(logged)).contains("replay on the standby reached");

            Path restored = f.newDirectory("restored");
            yes.restore(PhysicalRestoreRequest.builder().set(fromStandby.id()).target(RestoreTarget.immediate())
                    .targetAction(TargetAction.PROMOTE).dataDirectory(restored).build());
            try (PostgresCluster copy = f.startRestored(restored)) {
                assertThat(copy.queryValue("postgres", "SELECT count(*) FROM kept")).isEqualTo("500");
            }

            standby.stop();
            PgBackRest prefer = PgBackRest.of(config.backupStandby(BackupStandby.PREFER).build());
            prefer.writeConfig();
            logged = backupLogSize();
            assertThat(prefer.backup(BackupType.INCR, 1).type()).isEqualTo(BackupType.INCR);
            assertThat(backupLogSince(logged))
                    .contains("unable to find a standby to perform the backup, using primary instead");

            yes.writeConfig();
            assertThatThrownBy(() -> yes.backup(BackupType.INCR, 1)).isInstanceOf(PgBackRestException.class)
                    .hasMessageContaining("unable to find standby cluster");
        }
    }

    private Path backupLog() {
        return f.config.logPath().resolve(f.config.stanza() + "-backup.log");
    }

    private long backupLogSize() {
        try {
            return Files.exists(backupLog()) ? Files.size(backupLog()) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return what pgBackRest logged (at info level) about backups since the log had {@code offset} bytes */
    private String backupLogSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(backupLog());
            return new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
