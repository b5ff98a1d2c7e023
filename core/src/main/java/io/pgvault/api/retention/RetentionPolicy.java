package io.pgvault.api.retention;

import io.pgvault.api.BackupSet;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Which backup sets a rule keeps. A policy only ever sees <em>valid</em> sets: {@code COMPLETE}, with every set they
 * depend on present and valid. Everything else a plan guarantees (the newest valid set is kept, a kept DIFF/INCR keeps
 * the chain it depends on, pins are honoured, invalid sets are handled) is added by {@link RetentionPlan#of}, so a
 * policy cannot break it. Policies compose: a set is kept when any of them keeps it ({@link #or}).
 *
 * <p>Implementations must be pure and deterministic: the same candidates and {@code now} give the same keeps.
 *
 * @since 0.1.0
 */
public interface RetentionPolicy {

    /**
     * @param candidates the valid sets of one group (same strategy and source), newest first (by start time, then id)
     * @param now        the time the plan is made for
     * @return the sets this rule keeps, each with its reason (a set may appear more than once)
     * @since 0.1.0
     */
    List<Keep> keeps(List<BackupSet> candidates, Instant now);

    /**
     * @return a short description for plans and logs, e.g. {@code keep-last 4}
     * @since 0.1.0
     */
    String describe();

    /**
     * @param sets every set in the catalog (any order)
     * @param now  the time to plan for
     * @return the plan: one decision per set
     * @since 0.1.0
     */
    default RetentionPlan plan(Collection<BackupSet> sets, Instant now) {
        return RetentionPlan.of(this, sets, now);
    }

    /**
     * @param other another policy
     * @return a policy keeping what either keeps
     * @since 0.1.0
     */
    default RetentionPolicy or(RetentionPolicy other) {
        return AnyOf.of(this, other);
    }

    /**
     * @param count how many of the newest valid sets to keep, at least 1
     * @return keep-last
     * @since 0.1.0
     */
    static KeepLast keepLast(int count) {
        return new KeepLast(count);
    }

    /**
     * @param window keep every valid set started within this long before the plan's time (positive)
     * @return keep-within
     * @since 0.1.0
     */
    static KeepWithin keepWithin(Duration window) {
        return new KeepWithin(window);
    }

    /**
     * @return a builder of calendar tiers (hourly/daily/weekly/monthly/yearly)
     * @since 0.1.0
     */
    static CalendarRetention.Builder calendar() {
        return CalendarRetention.builder();
    }

    /**
     * @param fulls how many of the newest full (FULL or LOGICAL) sets to keep with their dependents
     * @return a pgBackRest-style builder; add {@code .diffs(m)} to limit the differentials kept
     * @since 0.1.0
     */
    static FullChainRetention.Builder fulls(int fulls) {
        return FullChainRetention.builder().fulls(fulls);
    }

    /**
     * @param policies policies to combine
     * @return a policy keeping what any of them keeps
     * @since 0.1.0
     */
    static AnyOf anyOf(RetentionPolicy... policies) {
        return AnyOf.of(policies);
    }
}
