package io.pgvault.api.retention;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.pgvault.api.retention.RetentionTesting.set;
import static org.assertj.core.api.Assertions.assertThat;

/** The classic schedules, exactly. */
class RetentionTableTest {

    private static List<LocalDate> keptDates(RetentionPlan plan) {
        return plan.kept().stream().map(d -> LocalDate.ofInstant(d.set().startedAt(), ZoneOffset.UTC)).toList();
    }

    /** Daily at 02:00 UTC, 2024-01-01 to 2025-12-31. */
    private static List<BackupSet> dailyForTwoYears() {
        List<BackupSet> sets = new ArrayList<>();
        for (LocalDate d = LocalDate.of(2024, 1, 1); !d.isAfter(LocalDate.of(2025, 12, 31)); d = d.plusDays(1)) {
            sets.add(set("d" + d.toString().replace("-", ""), BackupType.LOGICAL,
                    d.atTime(2, 0).toInstant(ZoneOffset.UTC)));
        }
        return sets;
    }

    /** 70 days from Sunday 2025-01-05: a FULL every Sunday, a DIFF on it every other day, at 01:00 UTC. */
    private static List<BackupSet> weeklyFullsDailyDiffs() {
        List<BackupSet> sets = new ArrayList<>();
        String full = null;
        for (int day = 0; day < 70; day++) {
            Instant t = Instant.parse("2025-01-05T01:00:00Z").plus(Duration.ofDays(day));
            String id = String.format("s%02d", day);
            if (day % 7 == 0) {
                sets.add(set(id, BackupType.FULL, t));
                full = id;
            } else {
                sets.add(set(id, BackupType.DIFF, BackupStatus.COMPLETE, t, full, Map.of()));
            }
        }
        return sets;
    }

    private static List<String> keptIds(RetentionPlan plan) {
        return plan.kept().stream().map(d -> d.id().value()).toList();
    }

    private static List<String> range(int from, int to) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            ids.add(String.format("s%02d", i));
        }
        return ids;
    }

    @Test
    @DisplayName("7 daily / 4 weekly / 12 monthly over two years of daily backups keeps exactly 20 sets")
    void sevenFourTwelve() {
        RetentionPlan plan = RetentionPolicy.calendar().daily(7).weekly(4).monthly(12).build()
                .plan(dailyForTwoYears(), Instant.parse("2025-12-31T12:00:00Z"));
        List<LocalDate> expected = new ArrayList<>();
        for (String d : List.of("2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31", "2025-06-30",
                "2025-07-31", "2025-08-31", "2025-09-30", "2025-10-31", "2025-11-30", "2025-12-14", "2025-12-21",
                "2025-12-25", "2025-12-26", "2025-12-27", "2025-12-28", "2025-12-29", "2025-12-30", "2025-12-31")) {
            expected.add(LocalDate.parse(d));
        }
        assertThat(keptDates(plan)).containsExactlyElementsOf(expected);
        assertThat(plan.decision(plan.kept().get(plan.kept().size() - 1).id()).orElseThrow().reasons())
                .contains("daily 1/7: newest backup of 2025-12-31 (Z)", "weekly 1/4: newest backup of week 2026-W01 (Z)",
                        "monthly 1/12: newest backup of 2025-12 (Z)");
        assertThat(plan.deleted()).hasSize(731 - 20).allSatisfy(d -> assertThat(d.reasons())
                .containsExactly("no rule of calendar daily 7 weekly 4 monthly 12 (Z) keeps it"));
    }

    @Test
    @DisplayName("keep-last 4 fulls keeps their diffs; with diffs 3 only the newest 3 diffs")
    void fourFullsWithDiffs() {
        List<BackupSet> sets = weeklyFullsDailyDiffs();
        Instant now = Instant.parse("2025-03-16T02:00:00Z");
        assertThat(keptIds(RetentionPolicy.fulls(4).build().plan(sets, now))).containsExactlyElementsOf(range(42, 69));
        assertThat(keptIds(RetentionPolicy.fulls(4).diffs(3).build().plan(sets, now)))
                .containsExactly("s42", "s49", "s56", "s63", "s67", "s68", "s69");
    }

    @Test
    @DisplayName("30 days and at least 3 fulls: the window and its base full; after backups stop, still 3 fulls")
    void thirtyDaysAndThreeFulls() {
        List<BackupSet> sets = weeklyFullsDailyDiffs();
        RetentionPolicy policy = RetentionPolicy.keepWithin(Duration.ofDays(30)).or(RetentionPolicy.fulls(3).build());
        RetentionPlan running = policy.plan(sets, Instant.parse("2025-03-15T02:00:00Z"));
        List<String> expected = new ArrayList<>(List.of("s35")); // the base of the oldest diffs in the window
        expected.addAll(range(40, 69));
        assertThat(keptIds(running)).containsExactlyElementsOf(expected);
        assertThat(running.decision(sets.get(35).id()).orElseThrow().reasons())
                .containsExactly("needed by kept DIFF s41 (and 1 more)");
        RetentionPlan stopped = policy.plan(sets, Instant.parse("2025-05-15T02:00:00Z"));
        assertThat(keptIds(stopped)).containsExactlyElementsOf(range(49, 69));
    }

    @Nested
    @DisplayName("daylight-saving changes")
    class Dst {
        @Test
        @DisplayName("Europe/Berlin spring forward: 01:30 CET and 03:30 CEST are one day")
        void berlinSpring() {
            List<BackupSet> sets = List.of(set("a", BackupType.LOGICAL, Instant.parse("2026-03-29T00:30:00Z")),
                    set("b", BackupType.LOGICAL, Instant.parse("2026-03-29T01:30:00Z")),
                    set("c", BackupType.LOGICAL, Instant.parse("2026-03-28T22:30:00Z")));
            RetentionPlan plan = RetentionPolicy.calendar().daily(2).zone(ZoneId.of("Europe/Berlin")).build()
                    .plan(sets, Instant.parse("2026-03-30T00:00:00Z"));
            assertThat(keptIds(plan)).containsExactly("c", "b");
        }

        @Test
        @DisplayName("Europe/Berlin fall back: the repeated 02:00 hour is two hours, one day")
        void berlinFall() {
            List<BackupSet> sets = List.of(set("cest", BackupType.LOGICAL, Instant.parse("2026-10-25T00:30:00Z")),
                    set("cet", BackupType.LOGICAL, Instant.parse("2026-10-25T01:30:00Z")));
            ZoneId berlin = ZoneId.of("Europe/Berlin");
            Instant now = Instant.parse("2026-10-25T02:00:00Z");
            RetentionPlan hourly = RetentionPolicy.calendar().hourly(2).zone(berlin).build().plan(sets, now);
            assertThat(keptIds(hourly)).containsExactly("cest", "cet");
            assertThat(hourly.decision(sets.get(0).id()).orElseThrow().reasons())
                    .containsExactly("hourly 2/2: newest backup of 2026-10-25T02:00+02:00 (Europe/Berlin)");
            assertThat(keptIds(RetentionPolicy.calendar().daily(2).zone(berlin).build().plan(sets, now)))
                    .containsExactly("cet");
        }

        @Test
        @DisplayName("America/New_York: fall back gives two 01:00 hours; 23:30 EDT is the previous day")
        void newYork() {
            ZoneId ny = ZoneId.of("America/New_York");
            List<BackupSet> sets = List.of(set("oct31", BackupType.LOGICAL, Instant.parse("2026-11-01T03:30:00Z")),
                    set("edt", BackupType.LOGICAL, Instant.parse("2026-11-01T05:30:00Z")),
                    set("est", BackupType.LOGICAL, Instant.parse("2026-11-01T06:30:00Z")));
            Instant now = Instant.parse("2026-11-01T12:00:00Z");
            assertThat(keptIds(RetentionPolicy.calendar().daily(5).zone(ny).build().plan(sets, now)))
                    .containsExactly("oct31", "est");
            assertThat(keptIds(RetentionPolicy.calendar().daily(5).build().plan(sets, now)))
                    .containsExactly("est");
            assertThat(keptIds(RetentionPolicy.calendar().hourly(3).zone(ny).build().plan(sets, now)))
                    .containsExactly("oct31", "edt", "est");
        }
    }

    @Test
    @DisplayName("month ends follow the zone: 23:30 UTC on 31 January is February in Berlin")
    void monthEnds() {
        List<BackupSet> sets = List.of(set("jan", BackupType.LOGICAL, Instant.parse("2026-01-31T22:30:00Z")),
                set("feb", BackupType.LOGICAL, Instant.parse("2026-01-31T23:30:00Z")),
                set("leap", BackupType.LOGICAL, Instant.parse("2028-02-29T12:00:00Z")));
        Instant now = Instant.parse("2028-03-01T00:00:00Z");
        assertThat(keptIds(RetentionPolicy.calendar().monthly(3).zone(ZoneId.of("Europe/Berlin")).build()
                .plan(sets, now))).containsExactly("jan", "feb", "leap");
        assertThat(keptIds(RetentionPolicy.calendar().monthly(3).build().plan(sets, now)))
                .containsExactly("feb", "leap");
    }

    @Nested
    @DisplayName("small and odd catalogs")
    class Edges {
        @Test
        @DisplayName("an empty catalog gives an empty plan; one set is kept as the newest valid")
        void emptyAndSingle() {
            RetentionPolicy policy = RetentionPolicy.keepLast(1);
            assertThat(policy.plan(List.of(), Instant.EPOCH).decisions()).isEmpty();
            BackupSet only = set("only", BackupType.LOGICAL, Instant.parse("2020-01-01T00:00:00Z"));
            RetentionPlan plan = RetentionPolicy.keepWithin(Duration.ofDays(1)).plan(List.of(only),
                    Instant.parse("2030-01-01T00:00:00Z"));
            assertThat(plan.kept()).singleElement().satisfies(d -> assertThat(d.reasons())
                    .containsExactly("newest valid backup of test db: always kept"));
        }

        @Test
        @DisplayName("a FAILED set newer than every valid one is kept for diagnosis, older ones are deleted")
        void failed() {
            List<BackupSet> sets = List.of(
                    set("f1", BackupType.LOGICAL, BackupStatus.FAILED, Instant.parse("2026-01-01T00:00:00Z"), null,
                            Map.of()),
                    set("ok", BackupType.LOGICAL, Instant.parse("2026-01-02T00:00:00Z")),
                    set("f2", BackupType.LOGICAL, BackupStatus.FAILED, Instant.parse("2026-01-03T00:00:00Z"), null,
                            Map.of()));
            RetentionPlan plan = RetentionPolicy.keepLast(3).plan(sets, Instant.parse("2026-01-04T00:00:00Z"));
            assertThat(plan.decision(sets.get(0).id()).orElseThrow().reasons()).containsExactly(
                    "FAILED: never counts as a valid backup; newer valid backup ok exists");
            assertThat(keptIds(plan)).containsExactly("ok", "f2");
        }

        @Test
        @DisplayName("pins: forever, until a date (then expired), and an unreadable pin keeps the set")
        void pins() {
            Instant t = Instant.parse("2026-01-01T00:00:00Z");
            List<BackupSet> sets = List.of(
                    set("forever", BackupType.LOGICAL, BackupStatus.COMPLETE, t, null, Map.of(Pin.ATTRIBUTE, "forever")),
                    set("until", BackupType.LOGICAL, BackupStatus.COMPLETE, t.plusSeconds(60), null,
                            Map.of(Pin.ATTRIBUTE, "2026-06-30")),
                    set("typo", BackupType.LOGICAL, BackupStatus.COMPLETE, t.plusSeconds(120), null,
                            Map.of(Pin.ATTRIBUTE, "for ever")),
                    set("new", BackupType.LOGICAL, t.plusSeconds(180)));
            RetentionPolicy policy = RetentionPolicy.keepLast(1);
            assertThat(keptIds(policy.plan(sets, Instant.parse("2026-06-30T23:59:59Z"))))
                    .containsExactly("forever", "until", "typo", "new");
            RetentionPlan later = policy.plan(sets, Instant.parse("2026-07-01T00:00:00Z"));
            assertThat(keptIds(later)).containsExactly("forever", "typo", "new");
            assertThat(later.decision(sets.get(1).id()).orElseThrow().reasons())
                    .containsExactly("pin expired at 2026-07-01T00:00:00Z and no rule keeps it");
            assertThat(Pin.of(Pin.until(Instant.parse("2027-01-01T00:00:00Z")).applyTo(sets.get(3))))
                    .contains(Pin.until(Instant.parse("2027-01-01T00:00:00Z")));
        }

        @Test
        @DisplayName("a plan that deletes what a kept set depends on cannot be constructed")
        void planRefusesBrokenChains() {
            BackupSet full = set("full", BackupType.FULL, Instant.parse("2026-01-01T00:00:00Z"));
            BackupSet diff = set("diff", BackupType.DIFF, BackupStatus.COMPLETE,
                    Instant.parse("2026-01-02T00:00:00Z"), "full", Map.of());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RetentionPlan(Instant.EPOCH, "hand-made",
                    List.of(new RetentionDecision(full, RetentionDecision.Action.DELETE, List.of("x")),
                            new RetentionDecision(diff, RetentionDecision.Action.KEEP, List.of("y")))))
                    .hasMessageContaining("kept set diff depends on full, which the plan deletes");
        }

        @Test
        @DisplayName("builders report every problem at once")
        void builderProblems() {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> RetentionPolicy.calendar().daily(-1).weekly(-2)
                    .zone(null).build()).isInstanceOfSatisfying(io.pgvault.api.ConfigurationException.class,
                            e -> assertThat(e.problems()).containsExactly("daily must be 0 (off) or more, was -1",
                                    "weekly must be 0 (off) or more, was -2",
                                    "calendar retention needs at least one of hourly, daily, weekly, monthly, "
                                            + "yearly above 0", "zone must not be null"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> FullChainRetention.builder().diffs(0).build())
                    .isInstanceOfSatisfying(io.pgvault.api.ConfigurationException.class, e -> assertThat(e.problems())
                            .containsExactly("fulls is required", "diffs must be at least 1 when set, was 0"));
        }
    }
}
