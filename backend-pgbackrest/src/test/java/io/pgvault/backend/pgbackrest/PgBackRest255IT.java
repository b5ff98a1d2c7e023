package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolResult;
import io.pgvault.testkit.PgBackRestBinaries;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * pgvault's configuration on real pgBackRest 2.55.1 (Debian 13's, extracted by {@code scripts/install-packages}; the
 * test fails when it is missing) and PostgreSQL 15: a sub-second {@code archive-timeout}, which 2.53 and later read
 * only as {@code 1500ms}. Backups from a standby on 2.55.1 are {@link PgBackRestStandbyIT}'s.
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

    private static long archiver(String column) {
        return Long.parseLong(f.pg.queryValue("postgres", "SELECT " + column + " FROM pg_stat_archiver"));
    }
}
