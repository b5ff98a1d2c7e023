package io.pgvault.api.tier;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TierFilterTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static BackupSet set(String at, BackupType type, String source) {
        Instant start = Instant.parse(at);
        return new BackupSet(BackupId.generate(start), "pgdump", type, BackupStatus.COMPLETE, source, start, start,
                Optional.empty(), List.of(), Map.of(), Optional.empty());
    }

    private static List<BackupSet> sorted(BackupSet... sets) {
        List<BackupSet> list = new ArrayList<>(List.of(sets));
        list.sort(Comparator.comparing(BackupSet::startedAt).thenComparing(BackupSet::id));
        return list;
    }

    @Test
    @DisplayName("month-end: the newest set of each ended month in the zone, per source; the open month waits")
    void lastOfMonth() {
        BackupSet jan1 = set("2026-01-05T10:00:00Z", BackupType.LOGICAL, "app");
        BackupSet jan2 = set("2026-01-31T22:59:00Z", BackupType.LOGICAL, "app"); // 23:59 Berlin, January
        BackupSet feb1 = set("2026-01-31T23:01:00Z", BackupType.LOGICAL, "app"); // 00:01 Berlin, February
        BackupSet feb2 = set("2026-02-20T10:00:00Z", BackupType.LOGICAL, "app");
        BackupSet janOther = set("2026-01-20T10:00:00Z", BackupType.LOGICAL, "crm");
        BackupSet mar = set("2026-03-03T10:00:00Z", BackupType.LOGICAL, "app");
        List<BackupSet> all = sorted(jan1, jan2, feb1, feb2, janOther, mar);

        assertThat(TierFilter.lastOfMonth(BERLIN).select(all, Instant.parse("2026-03-05T00:00:00Z")))
                .containsExactly(janOther, jan2, feb2);
        assertThat(TierFilter.lastOfMonth(BERLIN).select(all, Instant.parse("2026-01-31T23:00:00Z")))
                .as("January ends at 23:00 UTC in Berlin").containsExactly(janOther, jan2);
        assertThat(TierFilter.lastOfMonth(ZoneId.of("UTC")).select(all, Instant.parse("2026-03-05T00:00:00Z")))
                .as("in UTC the 23:01 set still belongs to January").containsExactly(janOther, feb1, feb2);
    }

    @Test
    @DisplayName("week-end: the newest set of each ended ISO week")
    void lastOfWeek() {
        BackupSet mon = set("2026-03-02T10:00:00Z", BackupType.LOGICAL, "app");
        BackupSet sun = set("2026-03-08T20:00:00Z", BackupType.LOGICAL, "app");
        BackupSet nextMon = set("2026-03-09T10:00:00Z", BackupType.LOGICAL, "app");
        assertThat(TierFilter.lastOfWeek(BERLIN).select(sorted(mon, sun, nextMon),
                Instant.parse("2026-03-10T00:00:00Z"))).containsExactly(sun);
    }

    @Test
    @DisplayName("fulls only, a predicate, and composition: the last full of each month")
    void composition() {
        BackupSet full = set("2026-01-10T10:00:00Z", BackupType.FULL, "stanza");
        BackupSet diff = set("2026-01-30T10:00:00Z", BackupType.DIFF, "stanza");
        BackupSet logical = set("2026-02-01T10:00:00Z", BackupType.LOGICAL, "app");
        List<BackupSet> all = sorted(full, diff, logical);
        Instant now = Instant.parse("2026-03-01T12:00:00Z");

        assertThat(TierFilter.fullsOnly().select(all, now)).containsExactly(full, logical);
        assertThat(TierFilter.all().select(all, now)).containsExactly(full, diff, logical);
        assertThat(TierFilter.lastOfMonth(BERLIN).select(all, now)).containsExactly(diff, logical);
        TierFilter monthEndFulls = TierFilter.fullsOnly().then(TierFilter.lastOfMonth(BERLIN));
        assertThat(monthEndFulls.select(all, now)).containsExactly(full, logical);
        assertThat(monthEndFulls.describe()).isEqualTo("fulls only, then last of each month (Europe/Berlin)");
        assertThat(TierFilter.matching("app only", s -> s.source().equals("app")).select(all, now))
                .containsExactly(logical);
    }
}
