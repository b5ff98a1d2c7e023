package io.pgvault.operations.health;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.operations.drill.DrillRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14, finding 7: the {@code restore-drill} check names what was verified, drilled and restored-and-checked
 * apart, and only a checked restore (or a passing drill) proves restorability; a deep verify does not.
 */
class RestoreProofTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final String STANZA = "pgbackrest:main";

    private static BackupSet set(String label, Optional<Instant> lastVerified) {
        Instant at = NOW.minus(Duration.ofHours(2));
        return new BackupSet(BackupId.of(label), "pgbackrest", BackupType.FULL, BackupStatus.COMPLETE, "main", at, at,
                Optional.empty(), List.of(), Map.of(), lastVerified);
    }

    private static BackupHealth health(BackupSet set) {
        return BackupHealth.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build().watch(STANZA, () -> List.of(set));
    }

    private static DrillRecord drill(String label, boolean passed, Instant finished) {
        return new DrillRecord(BackupId.of(label), "pgdump", passed, Optional.of(Duration.ofSeconds(4)),
                Duration.ofSeconds(9), finished.minusSeconds(9), finished, passed ? List.of() : List.of("rows: 0"));
    }

    @Test
    @DisplayName("a deep verify alone is 'last verified', not proof: WARNING, nothing restored and checked yet")
    void deepVerifyIsNoProof() {
        BackupSet set = set("20261201-100000F", Optional.of(NOW.minus(Duration.ofHours(1))));
        HealthCheck c = health(set).check().checks("restore-drill").get(0);
        assertThat(c.status()).isEqualTo(HealthStatus.WARNING);
        assertThat(c.message()).contains("has been restored and checked yet")
                .contains("last verified 60min ago (set 20261201-100000F)").contains("never drilled")
                .doesNotContain("proven restorable").doesNotContain("proof");
        assertThat(c.facts()).containsEntry("lastVerifiedAt", NOW.minus(Duration.ofHours(1)))
                .containsEntry("lastVerifiedSetId", "20261201-100000F")
                .doesNotContainKeys("verifiedAt", "lastRestoredCheckedAt");
    }

    @Test
    @DisplayName("two checked PITR restores make it OK, naming the newest and what checked it")
    void checkedRestoresAreProof() {
        BackupSet set = set("20261201-100000F", Optional.empty());
        BackupHealth health = health(set);
        health.restoreChecked(STANZA, new CheckedRestore(set.id(), NOW.minus(Duration.ofMinutes(30)), "orders = 1042"))
                .restoreChecked(STANZA, new CheckedRestore(set.id(), NOW.minus(Duration.ofMinutes(90)), "older"));
        HealthCheck c = health.check().checks("restore-drill").get(0);
        assertThat(c.status()).isEqualTo(HealthStatus.OK);
        assertThat(c.message()).startsWith("last restored and checked 30min ago (set 20261201-100000F, orders = 1042;")
                .contains("never verified, never drilled");
        assertThat(c.facts()).containsEntry("lastRestoredCheckedAt", NOW.minus(Duration.ofMinutes(30)))
                .containsEntry("lastRestoredCheckedBy", "orders = 1042")
                .containsEntry("verifiedAt", NOW.minus(Duration.ofMinutes(30))).containsEntry("ageSeconds", 1800L);
        assertThat(health.check().toJson()).contains("\"lastRestoredCheckedAt\" : \"2026-12-01T11:30:00Z\"");
    }

    @Test
    @DisplayName("a checked restore reported for another location does not count here")
    void otherLocation() {
        BackupSet set = set("20261201-100000F", Optional.empty());
        BackupHealth health = health(set).restoreChecked("pgbackrest:other",
                new CheckedRestore(set.id(), NOW, "rows"));
        assertThat(health.check().checks("restore-drill").get(0).status()).isEqualTo(HealthStatus.WARNING);
    }

    @Test
    @DisplayName("a passing drill is restored and checked, keeps the 0.2 facts, and ages to WARNING after 35 days")
    void passingDrill() {
        BackupSet set = set("20261201-100000F", Optional.of(NOW.minus(Duration.ofDays(36))));
        HealthCheck c = DrillAge.check("repository:r", List.of(set),
                List.of(drill("a", true, NOW.minus(Duration.ofDays(36)))), Optional.empty(),
                Thresholds.drillAgeDefault(), NOW);
        assertThat(c.status()).isEqualTo(HealthStatus.WARNING);
        assertThat(c.message()).startsWith("last restored and checked 36d ago (set a, restore drill passed;")
                .contains("last drilled 36d ago (passed)");
        assertThat(c.facts()).containsEntry("lastDrilledAt", NOW.minus(Duration.ofDays(36)))
                .containsEntry("lastDrillAt", NOW.minus(Duration.ofDays(36))).containsEntry("lastDrillPassed", true)
                .containsEntry("rtoSeconds", 4.0).containsKey("verifiedAt");
    }

    @Test
    @DisplayName("a failed last drill is CRITICAL even after a checked restore")
    void failedDrill() {
        HealthCheck c = DrillAge.check("repository:r", List.of(), List.of(drill("a", true, NOW.minusSeconds(7200)),
                drill("b", false, NOW.minusSeconds(60))), Optional.of(new CheckedRestore(BackupId.of("a"),
                NOW.minusSeconds(3600), "rows")), Thresholds.drillAgeDefault(), NOW);
        assertThat(c.status()).isEqualTo(HealthStatus.CRITICAL);
        assertThat(c.message()).contains("the last restore drill (set b,").contains("rows: 0");
        assertThat(c.facts()).containsEntry("lastRestoredCheckedBy", "rows");
    }
}
