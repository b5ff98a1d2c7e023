package io.pgvault.operations.health;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.backend.pgbackrest.PgBackRestBackup;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Health names pgBackRest sets flagged for page checksum errors (issue 18, finding 2). */
class ChecksumCheckTest {
    private static BackupSet set(String label, int hour, String strategy, Boolean flagged, String files) {
        Instant at = Instant.parse("2026-12-01T00:00:00Z").plusSeconds(3600L * hour);
        Map<String, String> a = new LinkedHashMap<>();
        if (flagged != null) {
            a.put(PgBackRestBackup.ERROR, flagged.toString());
        }
        if (files != null) {
            a.put(PgBackRestBackup.ERROR_FILES, files);
        }
        return new BackupSet(BackupId.of(label), strategy, BackupType.FULL, BackupStatus.COMPLETE, "main", at, at,
                Optional.empty(), List.of(), a, Optional.empty());
    }

    @Test
    @DisplayName("a flagged set is a WARNING naming it and its file count; the newest being flagged is said")
    void flagged() {
        HealthCheck c = BackupHealth.checksumCheck("repository:r", List.of(
                set("20261201-000000F", 0, "pgbackrest", true, "3"),
                set("20261201-010000F", 1, "pgbackrest", false, null))).orElseThrow();
        assertThat(c.status()).isEqualTo(HealthStatus.WARNING);
        assertThat(c.message()).contains("20261201-000000F (3 files)").doesNotContain("20261201-010000F")
                .doesNotContain("the newest set is flagged");
        assertThat(c.facts()).containsEntry("newestFlagged", false);
        HealthCheck newest = BackupHealth.checksumCheck("repository:r", List.of(
                set("20261201-000000F", 0, "pgbackrest", false, null),
                set("20261201-010000F", 1, "pgbackrest", true, "1"))).orElseThrow();
        assertThat(newest.message()).contains("20261201-010000F (1 file)").contains("the newest set is flagged");
    }

    @Test
    @DisplayName("clean pgBackRest sets are OK; other strategies get no check")
    void cleanAndOthers() {
        assertThat(BackupHealth.checksumCheck("r", List.of(set("20261201-000000F", 0, "pgbackrest", false, null)))
                .orElseThrow().status()).isEqualTo(HealthStatus.OK);
        assertThat(BackupHealth.checksumCheck("r", List.of(set("20261201T000000Z-aaaaaa", 0, "pgdump", null, null))))
                .isEmpty();
    }
}
