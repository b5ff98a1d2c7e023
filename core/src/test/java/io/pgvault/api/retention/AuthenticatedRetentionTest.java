package io.pgvault.api.retention;

import io.pgvault.api.Authenticity;
import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static io.pgvault.api.retention.RetentionTesting.EPOCH;
import static io.pgvault.api.retention.RetentionTesting.set;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A vault that signs plans over what it can authenticate (ADR 0013): unauthenticated sets are neither counted nor
 * deleted, so planted manifests cannot make a prune delete real sets, and a wrong key deletes nothing.
 */
@DisplayName("Retention over authenticated sets only")
class AuthenticatedRetentionTest {
    private static final Instant NOW = EPOCH.plus(Duration.ofDays(30));

    private static BackupSet real(String id, BackupType type, int hour, String dependsOn) {
        return set(id, type, BackupStatus.COMPLETE, EPOCH.plus(Duration.ofHours(hour)), dependsOn, Map.of())
                .withAuthenticity(Authenticity.AUTHENTICATED);
    }

    private static BackupSet planted(String id, int hour, Authenticity authenticity) {
        return planted(id, BackupType.LOGICAL, hour, authenticity, null);
    }

    private static BackupSet planted(String id, BackupType type, int hour, Authenticity authenticity,
            String dependsOn) {
        return set(id, type, BackupStatus.COMPLETE, EPOCH.plus(Duration.ofHours(hour)), dependsOn, Map.of())
                .withAuthenticity(authenticity);
    }

    private static Set<String> deleted(RetentionPlan plan) {
        return plan.deleted().stream().map(d -> d.id().value()).collect(Collectors.toSet());
    }

    @Test
    @DisplayName("manifests planted as newer do not fill the policy's slots: only what the policy drops of the real "
            + "sets is deleted, and the planted ones stay for an operator")
    void plantedNewerSets() {
        List<BackupSet> sets = List.of(real("r1", BackupType.LOGICAL, 1, null), real("r2", BackupType.LOGICAL, 2, null),
                real("r3", BackupType.LOGICAL, 3, null), planted("f1", 10, Authenticity.UNSIGNED),
                planted("f2", 11, Authenticity.MISMATCH), planted("f3", 12, Authenticity.UNSIGNED));
        RetentionPolicy keepTwo = RetentionPolicy.keepLast(2);

        assertThat(deleted(RetentionPlan.of(keepTwo, sets, NOW))).as("counting everything, as before")
                .containsExactlyInAnyOrder("r1", "r2", "r3", "f1");
        RetentionPlan plan = RetentionPlan.ofAuthenticated(keepTwo, sets, NOW);
        assertThat(deleted(plan)).containsExactly("r1");
        assertThat(plan.decision(BackupId.of("f2")).orElseThrow().reasons()).singleElement().asString()
                .startsWith(RetentionPlan.UNAUTHENTICATED).contains("MISMATCH");
        assertThat(plan.decisions()).hasSize(sets.size());
        assertThat(plan.policy()).contains("authenticated sets only");
    }

    @Test
    @DisplayName("an authenticated set dated in the future (a writer's clock ahead) is judged by the future rule: it "
            + "never counts as the newest")
    void authenticatedFutureSet() {
        List<BackupSet> sets = List.of(real("r1", BackupType.LOGICAL, 1, null), real("r2", BackupType.LOGICAL, 2, null),
                set("ahead", BackupType.LOGICAL, BackupStatus.COMPLETE, NOW.plus(Duration.ofDays(3)), null, Map.of())
                        .withAuthenticity(Authenticity.AUTHENTICATED));
        RetentionPlan plan = RetentionPlan.ofAuthenticated(RetentionPolicy.keepLast(1), sets, NOW);
        assertThat(plan.decision(BackupId.of("r2")).orElseThrow().keep()).isTrue();
        assertThat(plan.decision(BackupId.of("ahead")).orElseThrow().reasons()).anyMatch(r -> r.contains("future"));
    }

    @Test
    @DisplayName("keeping a set a plan deletes (a tier awaits it) keeps the chain it stands on, so the plan stays valid")
    void keepingKeepsChains() {
        List<BackupSet> sets = List.of(real("full1", BackupType.FULL, 1, null), real("incr1", BackupType.INCR, 2,
                "full1"), real("full2", BackupType.FULL, 3, null));
        RetentionPlan plan = RetentionPlan.of(RetentionPolicy.keepLast(1), sets, NOW);
        assertThat(deleted(plan)).containsExactlyInAnyOrder("full1", "incr1");

        RetentionPlan kept = plan.keeping(Map.of(BackupId.of("incr1"), "awaiting copy to tier t"));
        assertThat(deleted(kept)).isEmpty();
        assertThat(kept.decision(BackupId.of("incr1")).orElseThrow().reasons()).containsExactly(
                "awaiting copy to tier t");
        assertThat(kept.decision(BackupId.of("full1")).orElseThrow().reasons()).singleElement().asString()
                .contains("incr1");
        assertThat(plan.keeping(Map.of(BackupId.of("full2"), "x"))).isSameAs(plan);
    }

    @Test
    @DisplayName("a vault with the wrong key sees every set unproven and deletes nothing")
    void wrongKeyDeletesNothing() {
        List<BackupSet> sets = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            sets.add(planted("s" + i, i, Authenticity.MISMATCH));
        }
        assertThat(RetentionPlan.ofAuthenticated(RetentionPolicy.keepLast(1), sets, NOW).deleted()).isEmpty();
    }

    @Test
    @DisplayName("chains: an unproven incremental keeps its real base; a real incremental on an unproven base is kept "
            + "with its whole chain")
    void chains() {
        List<BackupSet> sets = List.of(
                real("full1", BackupType.FULL, 1, null),
                planted("incr1", BackupType.INCR, 2, Authenticity.UNSIGNED, "full1"),
                real("full2", BackupType.FULL, 10, null),
                planted("diff2", BackupType.DIFF, 11, Authenticity.MISMATCH, "full2"),
                real("incr2", BackupType.INCR, 12, "diff2"),
                real("full3", BackupType.FULL, 20, null),
                real("full4", BackupType.FULL, 30, null));
        RetentionPlan plan = RetentionPlan.ofAuthenticated(RetentionPolicy.keepLast(1), sets, NOW);

        assertThat(deleted(plan)).containsExactly("full3");
        assertThat(plan.decision(BackupId.of("full1")).orElseThrow().reasons()).anyMatch(r -> r.contains("incr1"));
        assertThat(plan.decision(BackupId.of("incr2")).orElseThrow().reasons())
                .anyMatch(r -> r.contains("base diff2 is not authenticated"));
        assertThat(plan.decision(BackupId.of("full2")).orElseThrow().keep()).isTrue();
    }

    @Test
    @DisplayName("over random histories with random authenticity: no unproven set is deleted, every plan keeps its "
            + "invariants, and sets whose chains are all proven get the decision the proven sets alone would give")
    void randomHistories() {
        for (long seed = 1; seed <= 1000; seed++) {
            Random r = new Random(seed);
            List<BackupSet> sets = new ArrayList<>();
            for (BackupSet s : RetentionTesting.history(r)) {
                sets.add(r.nextInt(5) == 0 ? s.withAuthenticity(r.nextBoolean() ? Authenticity.UNSIGNED
                        : Authenticity.MISMATCH) : s.withAuthenticity(Authenticity.AUTHENTICATED));
            }
            RetentionPolicy policy = RetentionTesting.policy(r);
            Instant now = RetentionTesting.now(sets, r);
            RetentionPlan plan = RetentionPlan.ofAuthenticated(policy, sets, now);
            Map<BackupId, BackupSet> byId = new HashMap<>();
            sets.forEach(s -> byId.put(s.id(), s));

            assertThat(plan.decisions()).as("seed %d", seed).hasSize(sets.size());
            assertThat(plan.deleted()).as("seed %d", seed).allSatisfy(d -> assertThat(d.set().authenticity().proven())
                    .isTrue());
            List<BackupSet> proven = sets.stream().filter(s -> s.authenticity().proven()).toList();
            RetentionPlan alone = RetentionPlan.of(policy, proven, now);
            for (RetentionDecision d : alone.deleted()) {
                boolean provenChain = chainProven(d.set(), byId);
                boolean baseOfUnproven = sets.stream().anyMatch(s -> !s.authenticity().proven()
                        && dependsOnTransitively(s, d.id(), byId));
                if (provenChain && !baseOfUnproven) {
                    assertThat(plan.decision(d.id()).orElseThrow().keep()).as("seed %d, %s", seed, d.id()).isFalse();
                }
            }
        }
    }

    private static boolean chainProven(BackupSet s, Map<BackupId, BackupSet> byId) {
        BackupSet cur = s;
        for (int i = 0; i <= byId.size() && cur.dependsOn().isPresent(); i++) {
            cur = byId.get(cur.dependsOn().get());
            if (cur == null) {
                return true;
            }
            if (!cur.authenticity().proven()) {
                return false;
            }
        }
        return true;
    }

    private static boolean dependsOnTransitively(BackupSet s, BackupId base, Map<BackupId, BackupSet> byId) {
        BackupSet cur = s;
        for (int i = 0; i <= byId.size() && cur.dependsOn().isPresent(); i++) {
            if (cur.dependsOn().get().equals(base)) {
                return true;
            }
            cur = byId.get(cur.dependsOn().get());
            if (cur == null) {
                return false;
            }
        }
        return false;
    }
}
