package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolResult;
import io.pgvault.testkit.PgBackRestBinaries;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * pgvault's configuration on real pgBackRest 2.55.1 (Debian 13's, extracted by {@code scripts/install-packages}; the
 * test fails when it is missing) and PostgreSQL 15: a sub-second {@code archive-timeout}, which 2.53 and later read
 * only as {@code 1500ms}, and backups from a standby ({@code pg2-*}) started here with {@code pg_basebackup}.
 */
class PgBackRest255IT {
    private static PgBackRestFixture f;

    @BeforeAll
    static void setUp() {
        Path program = PgBackRestBinaries.pgbackrest255();
        f = PgBackRestFixture.start("v255", (b, base) -> b
                .executable(PgBackRestBinaries.runnableCopy(program, base).toString())
                .archiveTimeout(Duration.ofMillis(1500)));
    }

    @AfterAll
    static void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    @DisplayName("archiveTimeout(1500 ms): 2.55 reads the config, check passes, the server archives, a backup is taken")
    void subSecondArchiveTimeout() {
        long failedBefore = archiver("failed_count");
        long archivedBefore = archiver("archived_count");
        assertThat(f.pgbr.version().raw()).isEqualTo("pgBackRest " + PgBackRestBinaries.V2_55);
        assertThat(f.pgbr.configText()).contains("archive-timeout=1500ms\n");

        f.pgbr.check();
        f.pgbr.check(Duration.ofMillis(1500));
        BackupSet full = f.pgbr.backup(BackupType.FULL, 1);
        f.pgbr.check();

        assertThat(full.type()).isEqualTo(BackupType.FULL);
        assertThat(archiver("failed_count")).isEqualTo(failedBefore);
        assertThat(archiver("archived_count")).isGreaterThanOrEqualTo(archivedBefore + 3);
    }

    @Test
    @DisplayName("the decimal form pgvault wrote before is what 2.55 refuses, for every command")
    void decimalRefused() {
        List<String> args = new ArrayList<>(List.of("--config=" + f.config.configFile(),
                "--config-include-path=" + f.config.includeDirectory(), "--stanza=" + f.config.stanza(),
                "--archive-timeout=1.500", "check"));
        ToolResult r = new ProcessRunner(f.config.launcher()).run(ToolCommand.builder("pgbackrest",
                f.config.executable()).args(args).timeout(Duration.ofMinutes(1)).build(), 32);
        assertThat(r.exitCode()).isEqualTo(32);
        assertThat(r.stdout() + r.stderrTail()).contains("'1.500' is not valid for 'archive-timeout' option");
    }

    @Test
    @DisplayName("a standby (pg2-*): YES backs up from it; with it stopped PREFER uses the primary and YES fails")
    void standby() {
        Path data = f.newDirectory("standby");
        new ProcessRunner(f.pg.serverLauncher()).run(ToolCommand.builder("pg_basebackup",
                f.pg.binDir().resolve("pg_basebackup").toString())
                .args(List.of("-D", data.toString(), "-R", "-X", "stream", "-c", "fast", "-h", PostgresCluster.HOST,
                        "-p", Integer.toString(f.pg.port()), "-U", PostgresCluster.SUPERUSER))
                .timeout(Duration.ofMinutes(2)).build());
        try (PostgresCluster standby = PostgresCluster.builder().requireMajorVersion(15).baseDirectory(f.base)
                .existingDataDirectory(data).start()) {
            assertThat(standby.queryValue("postgres", "SELECT pg_is_in_recovery()")).isEqualTo("t");
            PgBackRestConfig.Builder config = f.config.toBuilder()
                    .configFile(f.newDirectory("conf-standby").resolve("pgbackrest.conf"))
                    .standby(PgCluster.builder(data).port(standby.port()).socketDirectory(standby.socketDirectory())
                            .build());
            PgBackRest yes = PgBackRest.of(config.backupStandby(BackupStandby.YES).build());
            yes.writeConfig();
            assertThat(yes.configText()).contains("backup-standby=y\n", "pg2-path=" + data + "\n",
                    "pg2-port=" + standby.port() + "\n");

            long logged = backupLogSize();
            yes.backup(BackupType.FULL, 1);
            assertThat(backupLogSince(logged)).contains("replay on the standby reached");

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

    private static long archiver(String column) {
        return Long.parseLong(f.pg.queryValue("postgres", "SELECT " + column + " FROM pg_stat_archiver"));
    }

    private static Path backupLog() {
        return f.config.logPath().resolve(f.config.stanza() + "-backup.log");
    }

    private static long backupLogSize() {
        try {
            return Files.exists(backupLog()) ? Files.size(backupLog()) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return what pgBackRest logged (at info level) about backups since the log had {@code offset} bytes */
    private static String backupLogSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(backupLog());
            return new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
