package io.pgvault.operations.drill;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.ToolException;
import io.pgvault.backend.pgbackrest.PgBackRestBackup;
import io.pgvault.spi.postgres.ServerBinaries;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A physical set starts only on a server of its own major version: the drill's binaries are chosen by it, and a
 * mismatch is refused before anything is restored. Uses the machine's PostgreSQL 15 (the test command installs it).
 */
class PostgresBinariesTest {
    private static final Path PG15 = Path.of("/usr/lib/postgresql/15/bin");

    @Test
    @DisplayName("a set of PostgreSQL 15 gets the 15 binaries, from the preferred directory or the Debian layout")
    void matchingMajor() {
        assumeTrue(Files.isExecutable(PG15.resolve("postgres")), "PostgreSQL 15 is not installed here");
        ServerBinaries preferred = PostgresBinaries.locateMajor(Optional.empty(), List.of(PG15), OptionalInt.of(15));
        assertThat(preferred.majorVersion()).isEqualTo(15);
        ServerBinaries debian = PostgresBinaries.locateMajor(Optional.empty(),
                List.of(Path.of("/nonexistent/bin")), OptionalInt.of(15));
        assertThat(debian.binDir()).isEqualTo(PG15);
    }

    @Test
    @DisplayName("a set of PostgreSQL 42 with only 15 installed, or an explicit 15 binDir: TOOL_MISSING naming the "
            + "version needed and what each place held")
    void mismatch() {
        assumeTrue(Files.isExecutable(PG15.resolve("postgres")), "PostgreSQL 15 is not installed here");
        assertThatThrownBy(() -> PostgresBinaries.locateMajor(Optional.of(PG15), List.of(), OptionalInt.of(42)))
                .isInstanceOfSatisfying(ToolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TOOL_MISSING);
                    assertThat(e.getMessage()).contains("taken from PostgreSQL 42", PG15 + " (PostgreSQL 15.",
                            "binDir");
                });
        assertThatThrownBy(() -> PostgresBinaries.locateMajor(Optional.empty(), List.of(), OptionalInt.of(42)))
                .isInstanceOf(ToolException.class).hasMessageContaining("/usr/lib/postgresql/42/bin (missing");
    }

    @Test
    @DisplayName("the set's major version comes from what pgBackRest recorded (17, 9.6 → 9, absent → empty)")
    void majorOfSet() {
        assertThat(PhysicalDrill.majorOf(set("17"))).hasValue(17);
        assertThat(PhysicalDrill.majorOf(set("9.6"))).hasValue(9);
        assertThat(PhysicalDrill.majorOf(set(null))).isEmpty();
    }

    private static BackupSet set(String version) {
        Map<String, String> a = new HashMap<>();
        if (version != null) {
            a.put(PgBackRestBackup.PG_VERSION, version);
        }
        Instant at = Instant.parse("2026-12-06T09:18:14Z");
        return new BackupSet(BackupId.of("20261206-091814F"), "pgbackrest", BackupType.FULL, BackupStatus.COMPLETE,
                "main", at, at, Optional.empty(), List.of(), a, Optional.empty());
    }
}
