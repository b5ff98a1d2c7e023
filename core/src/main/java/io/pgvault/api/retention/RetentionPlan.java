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

    /** The reason given to a set that {@link #ofAuthenticated} leaves alone. */
    public static final String UNAUTHENTICATED = "not authenticated: retention neither counts nor deletes it (a "
            + "planted manifest, one written with another key, or before 0.4.0; see runbook unauthenticated-sets.md)";

    /**
     * Plans as {@link #of} does over the sets whose manifest is proven authentic, and keeps every other set without
     * counting it: for a vault that signs its manifests, so that manifests planted by someone who can write the
     * repository (claiming to be newer, or many) cannot push real sets out of the policy's slots and have a prune
     * delete them, and so that a vault configured with the wrong key deletes nothing. A set kept this way also keeps
     * the sets it names as its bases (keeping is the safe direction). Unauthenticated sets stay until an operator
     * deletes them ({@code Catalog.delete}) or prunes with a vault that accepts them.
     *
     * @param policy the rules
     * @param sets   every set of the catalog, any order; ids must be unique
     * @param now    the time to plan for
     * @return the plan: one decision per set
     * @since 0.6.0
     */
    public static RetentionPlan ofAuthenticated(RetentionPolicy policy, Collection<BackupSet> sets, Instant now) {
        List<BackupSet> proven = sets.stream().filter(s -> s.authenticity().proven()).toList();
        if (proven.size() == sets.size()) {
            return of(policy, sets, now);
        }
        RetentionPlan planned = of(policy, proven, now);
        Map<BackupId, RetentionDecision> byId = new HashMap<>(sets.size() * 2);
        planned.decisions().forEach(d -> byId.put(d.id(), d));
        List<BackupSet> unproven = sets.stream().filter(s -> !s.authenticity().proven()).toList();
        for (BackupSet s : unproven) {
            if (byId.containsKey(s.id())) {
                throw new IllegalArgumentException("set " + s.id() + " is listed more than once");
            }
            byId.put(s.id(), new RetentionDecision(s, RetentionDecision.Action.KEEP,
                    List.of(UNAUTHENTICATED + " (" + s.authenticity() + ")")));
        }
        for (BackupSet s : unproven) { // a kept set keeps its chain, whatever vouches for the chain
            keepChain(s, s.id() + ", which is not authenticated,", byId, sets.size());
        }
        // an authentic set standing on an unauthenticated base was planned as a broken chain: it is not, as far as
        // anyone can tell, so it stays with its base for an operator to judge
        for (BackupSet s : proven) {
            RetentionDecision d = byId.get(s.id());
            Optional<BackupId> unprovenBase = chainOf(s, byId, sets.size()).stream()
                    .filter(b -> !b.authenticity().proven()).map(BackupSet::id).findFirst();
            if (!d.keep() && unprovenBase.isPresent()) {
                byId.put(s.id(), new RetentionDecision(s, RetentionDecision.Action.KEEP, List.of("kept: its base "
                        + unprovenBase.get() + " is not authenticated, and retention deletes nothing it cannot judge")));
                keepChain(s, s.id() + " (kept)", byId, sets.size());
            }
        }
        List<RetentionDecision> decisions = new java.util.ArrayList<>(byId.values());
        decisions.sort(java.util.Comparator.comparing(RetentionDecision::set, RetentionPlanner.ORDER));
        return new RetentionPlan(now, planned.policy() + ", authenticated sets only", decisions);
    }

    /**
     * @param reasons sets of this plan to keep after all, each with the reason
     * @return a copy that keeps those sets (a set already kept keeps its reasons) and every set they depend on
     * @since 0.6.0
     */
    public RetentionPlan keeping(Map<BackupId, String> reasons) {
        Map<BackupId, RetentionDecision> byId = new HashMap<>(decisions.size() * 2);
        decisions.forEach(d -> byId.put(d.id(), d));
        boolean changed = false;
        for (Map.Entry<BackupId, String> e : reasons.entrySet()) {
            RetentionDecision d = byId.get(e.getKey());
            if (d == null) {
                continue;
            }
            if (!d.keep()) {
                byId.put(d.id(), new RetentionDecision(d.set(), RetentionDecision.Action.KEEP, List.of(e.getValue())));
                changed = true;
            }
            changed |= keepChain(d.set(), d.id() + " (kept)", byId, decisions.size());
        }
        if (!changed) {
            return this;
        }
        return new RetentionPlan(now, policy, decisions.stream().map(d -> byId.get(d.id())).toList());
    }

    /** Keeps every base of {@code set} (its own decision is left as it is); @return whether a decision changed */
    private static boolean keepChain(BackupSet set, String who, Map<BackupId, RetentionDecision> byId, int limit) {
        boolean changed = false;
        for (BackupSet base : chainOf(set, byId, limit)) {
            RetentionDecision d = byId.get(base.id());
            if (!d.keep()) {
                byId.put(base.id(), new RetentionDecision(base, RetentionDecision.Action.KEEP,
                        List.of("kept: " + who + " depends on it")));
                changed = true;
            }
        }
        return changed;
    }

    /** @return the bases {@code set} stands on, nearest first, as far as the plan lists them */
    private static List<BackupSet> chainOf(BackupSet set, Map<BackupId, RetentionDecision> byId, int limit) {
        List<BackupSet> chain = new java.util.ArrayList<>();
        BackupSet cur = set;
        for (int steps = 0; steps < limit && cur.dependsOn().isPresent(); steps++) {
            RetentionDecision base = byId.get(cur.dependsOn().get());
            if (base == null) {
                break;
            }
            chain.add(base.set());
            cur = base.set();
        }
        return chain;
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
