package io.pgvault.api.retention;

import io.pgvault.api.BackupSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The plan's invariants as jqwik properties; each try is one random history seeded by jqwik. */
class RetentionJqwikPropertiesTest {

    @Property(tries = 500)
    void everyPlanIsSound(@ForAll long seed) {
        Random r = new Random(seed);
        List<BackupSet> sets = RetentionTesting.history(r);
        RetentionPolicy policy = RetentionTesting.policy(r);
        Instant now = RetentionTesting.now(sets, r);
        RetentionPlan plan = policy.plan(sets, now);
        assertThat(RetentionTesting.violations(plan, sets, now)).as(policy.describe()).isEmpty();
        List<BackupSet> shuffled = new ArrayList<>(sets);
        Collections.shuffle(shuffled, r);
        assertThat(policy.plan(shuffled, now)).isEqualTo(plan);
    }
}
