package io.pgvault.api.retention;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plan's invariants and counting rules over thousands of seeded random histories (plain JUnit, reproducible by
 * seed: a failure names it).
 */
class RetentionPropertiesTest {
    private static final int HISTORIES = 2000;

    private static void forEachHistory(BiConsumer<Long, Random> check) {
        for (long seed = 1; seed <= HISTORIES; seed++) {
            check.accept(seed, new Random(seed));
        }
    }

    @Test
    @DisplayName("every plan: one decision with a reason per set, chains of kept sets kept, newest valid kept, pins")
    void invariants() {
        forEachHistory((seed, r) -> {
            List<BackupSet> sets = RetentionTesting.history(r);
            RetentionPolicy policy = RetentionTesting.policy(r);
            Instant now = RetentionTesting.now(sets, r);
            RetentionPlan plan = policy.plan(sets, now);
            assertThat(RetentionTesting.violations(plan, sets, now)).as("seed %d, %s", seed, policy.describe())
                    .isEmpty();
        });
    }

    @Test
    @DisplayName("plans are deterministic: shuffled input gives the same plan")
    void deterministic() {
        forEachHistory((seed, r) -> {
            List<BackupSet> sets = RetentionTesting.history(r);
            RetentionPolicy policy = RetentionTesting.policy(r);
            Instant now = RetentionTesting.now(sets, r);
            List<BackupSet> shuffled = new ArrayList<>(sets);
            Collections.shuffle(shuffled, r);
            assertThat(policy.plan(shuffled, now)).as("seed %d", seed).isEqualTo(policy.plan(sets, now));
        });
    }

    @Test
    @DisplayName("FAILED sets never count: removing them changes no rule's decision about a valid set")
    void failedNeverCount() {
        forEachHistory((seed, r) -> {
            List<BackupSet> sets = RetentionTesting.history(r);
            RetentionPolicy policy = RetentionTesting.policy(r);
            Instant now = RetentionTesting.now(sets, r);
            Map<BackupId, BackupSet> all = new HashMap<>();
            sets.forEach(s -> all.put(s.id(), s));
            List<BackupSet> withoutFailed = sets.stream().filter(s -> s.status() == BackupStatus.COMPLETE).toList();
            RetentionPlan with = policy.plan(sets, now);
            RetentionPlan without = policy.plan(withoutFailed, now);
            for (RetentionDecision d : with.decisions()) {
                if (RetentionTesting.valid(d.set(), all)) {
                    RetentionDecision alone = without.decision(d.id()).orElseThrow();
                    // the rules decide alike; a FAILED set kept for diagnosis may only add "needed by" keeps
                    assertThat(ruleReasons(d)).as("seed %d, %s", seed, d).isEqualTo(ruleReasons(alone));
                    if (alone.keep()) {
                        assertThat(d.keep()).as("seed %d, %s", seed, d).isTrue();
                    }
                }
            }
        });
    }

    @Test
    @DisplayName("counting: keep-last N keeps the N newest valid sets, and N fulls are kept with their reason")
    void counting() {
        forEachHistory((seed, r) -> {
            List<BackupSet> sets = RetentionTesting.history(r);
            Instant now = RetentionTesting.now(sets, r);
            Map<BackupId, BackupSet> all = new HashMap<>();
            sets.forEach(s -> all.put(s.id(), s));
            List<BackupSet> valid = sets.stream().filter(s -> RetentionTesting.valid(s, all))
                    .sorted(RetentionPlanner.ORDER.reversed()).toList();
            int n = 1 + r.nextInt(8);
            RetentionPlan last = RetentionPolicy.keepLast(n).plan(sets, now);
            for (int i = 0; i < valid.size(); i++) {
                boolean counted = last.decision(valid.get(i).id()).orElseThrow().reasons().stream()
                        .anyMatch(x -> x.startsWith("keep-last"));
                assertThat(counted).as("seed %d, valid #%d", seed, i).isEqualTo(i < n);
            }
            RetentionPlan fulls = RetentionPolicy.fulls(n).build().plan(sets, now);
            long validFulls = valid.stream().filter(s -> s.type() == BackupType.FULL
                    || s.type() == BackupType.LOGICAL).count();
            long countedFulls = fulls.decisions().stream()
                    .filter(d -> d.reasons().stream().anyMatch(x -> x.contains(": full "))).count();
            assertThat(countedFulls).as("seed %d", seed).isEqualTo(Math.min(n, validFulls));
        });
    }

    @Test
    @DisplayName("calendar: each kept period holds the newest valid set of that period, at most N periods per tier")
    void calendarRepresentatives() {
        forEachHistory((seed, r) -> {
            List<BackupSet> sets = RetentionTesting.history(r);
            Instant now = RetentionTesting.now(sets, r);
            ZoneId zone = ZoneId.of(r.nextBoolean() ? "Europe/Berlin" : "America/New_York");
            int daily = 1 + r.nextInt(10);
            int weekly = 1 + r.nextInt(6);
            RetentionPlan plan = RetentionPolicy.calendar().daily(daily).weekly(weekly).zone(zone).build()
                    .plan(sets, now);
            Map<BackupId, BackupSet> all = new HashMap<>();
            sets.forEach(s -> all.put(s.id(), s));
            Map<Object, BackupSet> newestPerDay = new HashMap<>();
            Map<Object, BackupSet> newestPerWeek = new HashMap<>();
            for (BackupSet s : sets) {
                if (RetentionTesting.valid(s, all)) {
                    var t = s.startedAt().atZone(zone);
                    newestPerDay.merge(t.toLocalDate(), s, (a, b) -> RetentionPlanner.ORDER.compare(a, b) > 0 ? a : b);
                    newestPerWeek.merge(t.get(IsoFields.WEEK_BASED_YEAR) * 100 + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR),
                            s, (a, b) -> RetentionPlanner.ORDER.compare(a, b) > 0 ? a : b);
                }
            }
            Set<BackupId> dailyKept = new HashSet<>();
            Set<BackupId> weeklyKept = new HashSet<>();
            for (RetentionDecision d : plan.decisions()) {
                if (d.reasons().stream().anyMatch(x -> x.startsWith("daily "))) {
                    dailyKept.add(d.id());
                }
                if (d.reasons().stream().anyMatch(x -> x.startsWith("weekly "))) {
                    weeklyKept.add(d.id());
                }
            }
            List<BackupSet> days = newestPerDay.values().stream().sorted(RetentionPlanner.ORDER.reversed()).toList();
            List<BackupSet> weeks = newestPerWeek.values().stream().sorted(RetentionPlanner.ORDER.reversed()).toList();
            assertThat(dailyKept).as("seed %d", seed).containsExactlyInAnyOrderElementsOf(
                    days.subList(0, Math.min(daily, days.size())).stream().map(BackupSet::id).toList());
            assertThat(weeklyKept).as("seed %d", seed).containsExactlyInAnyOrderElementsOf(
                    weeks.subList(0, Math.min(weekly, weeks.size())).stream().map(BackupSet::id).toList());
        });
    }

    @Test
    @DisplayName("a union keeps at least what each of its parts keeps")
    void unionKeepsSuperset() {
        forEachHistory((seed, r) -> {
            List<BackupSet> sets = RetentionTesting.history(r);
            Instant now = RetentionTesting.now(sets, r);
            RetentionPolicy a = RetentionTesting.policy(r);
            RetentionPolicy b = RetentionTesting.policy(r);
            Set<BackupId> union = ids(a.or(b).plan(sets, now).kept());
            assertThat(union).as("seed %d", seed).containsAll(ids(a.plan(sets, now).kept()))
                    .containsAll(ids(b.plan(sets, now).kept()));
        });
    }

    private static List<String> ruleReasons(RetentionDecision d) {
        return d.keep() ? d.reasons().stream().filter(x -> !x.startsWith("needed by")).toList() : List.of();
    }

    private static Set<BackupId> ids(List<RetentionDecision> decisions) {
        Set<BackupId> ids = new HashSet<>();
        decisions.forEach(d -> ids.add(d.id()));
        return ids;
    }
}
