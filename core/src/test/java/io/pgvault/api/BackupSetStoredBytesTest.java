package io.pgvault.api;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class BackupSetStoredBytesTest {
    private static BackupSet set(Map<String, String> attributes) {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        return new BackupSet(BackupId.of("20261201-100000F"), "pgbackrest", BackupType.FULL, BackupStatus.COMPLETE,
                "main", t, t.plusSeconds(3), Optional.empty(), List.of(), attributes, Optional.empty());
    }

    @Test
    @DisplayName("a set whose tool keeps its files itself (no objects) stores what its STORED_BYTES attribute says")
    void fromAttribute() {
        assertThat(set(Map.of(BackupSet.STORED_BYTES, "2846704")).storedBytes()).isEqualTo(2_846_704L);
        assertThat(set(Map.of()).storedBytes()).isZero();
        assertThat(set(Map.of(BackupSet.STORED_BYTES, "many")).storedBytes()).isZero();
    }
}
