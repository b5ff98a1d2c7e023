package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.retention.RetentionPlan;
import io.pgvault.api.retention.RetentionPolicy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A set pgBackRest flags for page checksum errors is complete and restorable: it must count like any other set, or
 * retention removes months of backups after the first clean one (issue 18, finding 2).
 */
class ChecksumFlaggedTest {
    private static final Instant T0 = Instant.parse("2026-01-31T23:00:00Z");

    private static PgBackRestBackup full(Instant at, boolean flagged) {
        String label = label(at) + "F";
        return new PgBackRestBackup(label, BackupType.FULL, 1, Optional.empty(), List.of(), at,
                at.plusSeconds(60), Optional.of("000000010000000000000002"), Optional.of("000000010000000000000002"),
                Optional.empty(), Optional.empty(), 100, 100, 50, 50, flagged, Optional.of("15"),
                Optional.of("7000000000000000001"));
    }

    @Test
    @DisplayName("a flagged set is COMPLETE, keeps its flag, and a plan keeping two monthlies keeps flagged ones")
    void flaggedSetsAreKept() {
        List<BackupSet> sets = new ArrayList<>();
        for (int month = 0; month < 12; month++) {
            sets.add(full(T0.plus(Duration.ofDays(30L * month)), month < 11).toBackupSet("main"));
        }
        assertThat(sets.get(0).status()).isEqualTo(BackupStatus.COMPLETE);
        assertThat(sets.get(0).attributes()).containsEntry(PgBackRestBackup.ERROR, "true");
        RetentionPlan plan = RetentionPlan.of(RetentionPolicy.keepLast(12), sets,
                T0.plus(Duration.ofDays(400)));
        assertThat(plan.deleted()).isEmpty();
        RetentionPlan two = RetentionPlan.of(RetentionPolicy.keepLast(2), sets, T0.plus(Duration.ofDays(400)));
        assertThat(two.kept()).extracting(d -> d.id()).containsExactly(sets.get(10).id(), sets.get(11).id());
    }

    @Test
    @DisplayName("the error list of info --set is read for the named set only; an unknown set is NOT_FOUND")
    void errorList() {
        String json = """
                [{"name":"main","backup":[
                  {"label":"20260101-000000F","error":false},
                  {"label":"20260201-000000F","error":true,
                   "error-list":["pg_data/base/5/16390","pg_data/base/5/16391"]}]}]""";
        assertThat(InfoParser.errorList(json, "main", "20260201-000000F"))
                .containsExactly("pg_data/base/5/16390", "pg_data/base/5/16391");
        assertThat(InfoParser.errorList(json, "main", "20260101-000000F")).isEmpty();
        assertThatThrownBy(() -> InfoParser.errorList(json, "main", "20260301-000000F"))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> InfoParser.errorList(json, "other", "20260201-000000F"))
                .isInstanceOf(NotFoundException.class);
    }

    private static String label(Instant at) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(java.time.ZoneOffset.UTC)
                .format(at);
    }
}
