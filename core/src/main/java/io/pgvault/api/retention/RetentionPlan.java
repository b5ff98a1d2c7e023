package io.pgvault.api.retention;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * For every set of a catalog, keep or delete, and why. Made by {@link #of}; a plan is a value and deletes nothing
 * ({@link Pruner} executes it).
 *
 * <p>Guarantees of {@link #of}, whatever the policy: every set gets exactly one decision with at least one reason;
 * within each group of sets (same strategy and source) the newest valid set is kept; a kept set keeps every set it
 * depends on; pinned sets are kept; FAILED sets and sets whose chain is broken never count as valid and are deleted
 * once a newer valid set of their group exists (until then they are kept for diagnosis); the same input gives the same
 * plan, in any order. The constructor checks the structural part (one decision per set, dependencies of kept sets
 * kept), so a hand-made plan cannot ask a {@link Pruner} to break a chain.
 *
 * @param now       the time the plan was made for
 * @param policy    the policy's description
 * @param decisions one per set, oldest first
 * @since 0.1.0
 */
public record RetentionPlan(Instant now, String policy, List<RetentionDecision> decisions) {
    /** Validates the components: one decision per set, and whatever a kept set depends on is kept. */
    public RetentionPlan {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(policy, "policy");
        decisions = List.copyOf(Objects.requireNonNull(decisions, "decisions"));
        Map<BackupId, RetentionDecision> byId = new HashMap<>(decisions.size() * 2);
        for (RetentionDecision d : decisions) {
            if (byId.put(d.id(), d) != null) {
                throw new IllegalArgumentException("set " + d.id() + " has more than one decision");
            }
        }
        for (RetentionDecision d : decisions) {
            if (d.keep() && d.set().dependsOn().isPresent()) {
                RetentionDecision base = byId.get(d.set().dependsOn().get());
                if (base != null && !base.keep()) {
                    throw new IllegalArgumentException("kept set " + d.id() + " depends on " + base.id()
                            + ", which the plan deletes");
                }
            }
        }
    }

    /**
     * @param policy the rules
     * @param sets   every set of the catalog, any order; ids must be unique
     * @param now    the time to plan for
     * @return the plan
     * @since 0.1.0
     */
    public static RetentionPlan of(RetentionPolicy policy, Collection<BackupSet> sets, Instant now) {
        return RetentionPlanner.plan(policy, sets, now);
    }

    /**
     * @return the decisions to keep, oldest first
     * @since 0.1.0
     */
    public List<RetentionDecision> kept() {
        return decisions.stream().filter(RetentionDecision::keep).toList();
    }

    /**
     * @return the decisions to delete, oldest first
     * @since 0.1.0
     */
    public List<RetentionDecision> deleted() {
        return decisions.stream().filter(d -> !d.keep()).toList();
    }

    /**
     * @param id a set
     * @return the decision for it, if the plan covers it
     * @since 0.1.0
     */
    public Optional<RetentionDecision> decision(BackupId id) {
        return decisions.stream().filter(d -> d.id().equals(id)).findFirst();
    }

    /**
     * @return a human-readable table: a header line, then one line per set, oldest first
     * @since 0.1.0
     */
    public String render() {
        long kept = decisions.stream().filter(RetentionDecision::keep).count();
        return "retention plan at " + now + " (" + policy + "): keep " + kept + ", delete " + (decisions.size() - kept)
                + decisions.stream().map(d -> "\n  " + d).collect(Collectors.joining());
    }
}
