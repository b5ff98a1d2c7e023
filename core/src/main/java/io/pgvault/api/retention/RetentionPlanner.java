package io.pgvault.api.retention;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.retention.RetentionDecision.Action;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Makes a {@link RetentionPlan}: the invariants every plan keeps, around whatever the policy keeps. */
final class RetentionPlanner {
    /** Oldest first; the id breaks ties so that plans do not depend on input order. */
    static final Comparator<BackupSet> ORDER = Comparator.comparing(BackupSet::startedAt)
            .thenComparing(BackupSet::id);

    private final Map<BackupId, BackupSet> byId;
    private final Map<BackupId, String> invalid = new HashMap<>();
    private final Map<BackupId, List<String>> keeps = new HashMap<>();
    private final Map<BackupId, String> deletes = new HashMap<>();

    private RetentionPlanner(Map<BackupId, BackupSet> byId) {
        this.byId = byId;
    }

    static RetentionPlan plan(RetentionPolicy policy, Collection<BackupSet> sets, Instant now) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(now, "now");
        List<BackupSet> sorted = new ArrayList<>(Objects.requireNonNull(sets, "sets"));
        sorted.sort(ORDER);
        Map<BackupId, BackupSet> byId = new HashMap<>(sorted.size() * 2);
        for (BackupSet s : sorted) {
            if (byId.put(s.id(), s) != null) {
                throw new IllegalArgumentException("backup set " + s.id() + " appears more than once");
            }
        }
        RetentionPlanner planner = new RetentionPlanner(byId);
        planner.findInvalid(sorted);
        planner.findFutureDated(sorted, now);
        Map<String, List<BackupSet>> groups = new LinkedHashMap<>();
        for (BackupSet s : sorted) {
            groups.computeIfAbsent(s.strategy() + "\u0000" + s.source(), k -> new ArrayList<>()).add(s);
        }
        for (List<BackupSet> group : groups.values()) {
            planner.planGroup(policy, group, now);
        }
        planner.keepDependencies(sorted);
        List<RetentionDecision> decisions = new ArrayList<>(sorted.size());
        for (BackupSet s : sorted) {
            List<String> reasons = planner.keeps.get(s.id());
            decisions.add(reasons != null ? new RetentionDecision(s, Action.KEEP, reasons)
                    : new RetentionDecision(s, Action.DELETE, List.of(planner.deletes.getOrDefault(s.id(),
                    "no rule of " + policy.describe() + " keeps it"))));
        }
        return new RetentionPlan(now, policy.describe(), decisions);
    }

    /** Marks FAILED sets and sets whose chain is FAILED, missing or cyclic; iterative, so long chains are fine. */
    private void findInvalid(List<BackupSet> sorted) {
        Map<BackupId, Boolean> done = new HashMap<>(sorted.size() * 2);
        for (BackupSet start : sorted) {
            Deque<BackupSet> path = new ArrayDeque<>();
            Set<BackupId> onPath = new HashSet<>();
            BackupSet cur = start;
            String verdict = null;
            while (cur != null && !done.containsKey(cur.id())) {
                if (!onPath.add(cur.id())) {
                    verdict = "not restorable: its chain depends on itself (" + cur.id() + ")";
                    break;
                }
                path.push(cur);
                if (cur.status() != BackupStatus.COMPLETE) {
                    verdict = cur == start ? cur.status() + ": never counts as a valid backup"
                            : "not restorable: depends on " + cur.status() + " set " + cur.id();
                    path.pop();
                    invalid.put(cur.id(), cur.status() + ": never counts as a valid backup");
                    done.put(cur.id(), false);
                    break;
                }
                Optional<BackupId> dep = cur.dependsOn();
                if (dep.isEmpty()) {
                    break;
                }
                BackupSet next = byId.get(dep.get());
                if (next == null) {
                    verdict = "not restorable: depends on " + dep.get() + ", which is missing";
                    break;
                }
                cur = next;
            }
            if (verdict == null && cur != null && done.containsKey(cur.id()) && !done.get(cur.id())) {
                verdict = "not restorable: depends on " + cur.id() + " (" + invalid.get(cur.id()) + ")";
            }
            // everything on the path shares the verdict of the chain below it
            while (!path.isEmpty()) {
                BackupSet s = path.pop();
                done.put(s.id(), verdict == null);
                if (verdict != null) {
                    invalid.putIfAbsent(s.id(), verdict);
                }
            }
        }
    }

    /** A set that starts after {@code now} (beyond the skew tolerance) never counts as valid, let alone newest. */
    private void findFutureDated(List<BackupSet> sorted, Instant now) {
        for (BackupSet s : sorted) {
            if (io.pgvault.api.Catalog.datedInFuture(s, now)) {
                invalid.putIfAbsent(s.id(), "dated in the future: starts " + s.startedAt() + ", after " + now
                        + " (clock skew or a forged manifest); never counts as the newest backup");
            }
        }
    }

    private void planGroup(RetentionPolicy policy, List<BackupSet> group, Instant now) {
        List<BackupSet> valid = new ArrayList<>(group.size());
        for (int i = group.size() - 1; i >= 0; i--) {
            if (!invalid.containsKey(group.get(i).id())) {
                valid.add(group.get(i));
            }
        }
        Map<BackupId, BackupSet> candidates = new HashMap<>(valid.size() * 2);
        for (BackupSet s : valid) {
            candidates.put(s.id(), s);
        }
        for (Keep k : policy.keeps(List.copyOf(valid), now)) {
            if (!candidates.containsKey(k.id())) {
                throw new IllegalStateException("policy " + policy.describe() + " kept " + k.id()
                        + ", which is not one of its valid candidates");
            }
            keep(k.id(), k.reason());
        }
        BackupSet newestValid = valid.isEmpty() ? null : valid.get(0);
        if (newestValid != null) {
            keep(newestValid.id(), "newest valid backup of " + newestValid.strategy() + " " + newestValid.source()
                    + ": always kept");
        }
        for (BackupSet s : group) {
            pin(s, now);
            String why = invalid.get(s.id());
            if (why == null) {
                continue;
            }
            if (newestValid == null || ORDER.compare(s, newestValid) > 0) {
                keep(s.id(), why + "; kept for diagnosis until a newer valid backup exists");
            } else {
                deletes.put(s.id(), why + "; newer valid backup " + newestValid.id() + " exists");
            }
        }
    }

    private void pin(BackupSet s, Instant now) {
        Optional<String> raw = s.attribute(Pin.ATTRIBUTE);
        if (raw.isEmpty()) {
            return;
        }
        try {
            Pin pin = Pin.parse(raw.get());
            if (pin.activeAt(now)) {
                keep(s.id(), "pinned " + (pin.until().isEmpty() ? "forever" : "until " + pin.until().get()));
            } else {
                deletes.putIfAbsent(s.id(), "pin expired at " + pin.until().orElseThrow()
                        + " and no rule keeps it");
            }
        } catch (ConfigurationException e) {
            // a pin someone meant to set must not turn into a deletion because of a typo
            keep(s.id(), "unreadable pin (" + e.problems().get(0) + "): kept as pinned until it is fixed");
        }
    }

    /** Newest first, so each chain is walked once: a walk stops at the first set already kept as a dependency. */
    private void keepDependencies(List<BackupSet> sorted) {
        Map<BackupId, BackupId> neededBy = new HashMap<>();
        Map<BackupId, Integer> more = new HashMap<>();
        for (int i = sorted.size() - 1; i >= 0; i--) {
            BackupSet s = sorted.get(i);
            if (!keeps.containsKey(s.id()) || neededBy.containsKey(s.id())) {
                continue; // not kept, or its chain was already walked from a newer dependent
            }
            BackupSet cur = s;
            for (int steps = 0; steps < sorted.size() && cur.dependsOn().isPresent(); steps++) {
                BackupSet base = byId.get(cur.dependsOn().get());
                if (base == null) {
                    break;
                }
                if (neededBy.containsKey(base.id())) {
                    if (cur == s) {
                        more.merge(base.id(), 1, Integer::sum);
                    }
                    break;
                }
                neededBy.put(base.id(), cur.id());
                cur = base;
            }
        }
        for (Map.Entry<BackupId, BackupId> e : neededBy.entrySet()) {
            BackupSet dependent = byId.get(e.getValue());
            int others = more.getOrDefault(e.getKey(), 0);
            keep(e.getKey(), "needed by kept " + dependent.type() + " " + dependent.id()
                    + (others > 0 ? " (and " + others + " more)" : ""));
        }
    }

    private void keep(BackupId id, String reason) {
        List<String> reasons = keeps.computeIfAbsent(id, k -> new ArrayList<>(2));
        if (!reasons.contains(reason)) {
            reasons.add(reason);
        }
    }
}
