package io.pgvault.operations.health;

import io.pgvault.api.Authenticity;
import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Health names the sets whose manifest is not proven authentic (ADR 0013). */
class AuthenticityCheckTest {
    private static BackupSet set(String id, int hour, Authenticity a) {
        Instant at = Instant.parse("2026-12-01T00:00:00Z").plusSeconds(3600L * hour);
        return new BackupSet(BackupId.of(id), "pgdump", BackupType.LOGICAL, BackupStatus.COMPLETE, "app", at, at,
                Optional.empty(), List.of(), Map.of(), Optional.empty(), a);
    }

    @Test
    @DisplayName("a manifest failing its MAC is CRITICAL, whatever the vault accepts")
    void mismatch() {
        HealthCheck c = BackupHealth.authenticityCheck("repository:x", List.of(
                set("20261201T000000Z-aaaaaa", 0, Authenticity.AUTHENTICATED),
                set("20261201T010000Z-bbbbbb", 1, Authenticity.MISMATCH)), true);
        assertThat(c.status()).isEqualTo(HealthStatus.CRITICAL);
        assertThat(c.message()).contains("20261201T010000Z-bbbbbb").contains("fail authentication");
    }

    @Test
    @DisplayName("an unsigned newest set is a WARNING for a vault that refuses it, OK for one that accepts it; "
            + "older unsigned sets are named but do not warn")
    void unsigned() {
        List<BackupSet> newestUnsigned = List.of(set("20261201T000000Z-aaaaaa", 0, Authenticity.AUTHENTICATED),
                set("20261201T010000Z-bbbbbb", 1, Authenticity.UNSIGNED));
        assertThat(BackupHealth.authenticityCheck("r", newestUnsigned, false).status())
                .isEqualTo(HealthStatus.WARNING);
        assertThat(BackupHealth.authenticityCheck("r", newestUnsigned, true).status()).isEqualTo(HealthStatus.OK);
        List<BackupSet> olderUnsigned = List.of(set("20261201T000000Z-aaaaaa", 0, Authenticity.UNSIGNED),
                set("20261201T010000Z-bbbbbb", 1, Authenticity.AUTHENTICATED));
        HealthCheck ok = BackupHealth.authenticityCheck("r", olderUnsigned, false);
        assertThat(ok.status()).isEqualTo(HealthStatus.OK);
        assertThat(ok.facts()).containsEntry("unauthenticated", "20261201T000000Z-aaaaaa");
    }
}
