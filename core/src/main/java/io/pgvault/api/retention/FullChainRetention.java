package io.pgvault.api.retention;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.api.ConfigurationException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * pgBackRest-style counts ({@code retention-full}, {@code retention-diff}): keep the newest {@code fulls} full sets
 * and the sets that depend on them. FULL and LOGICAL sets both count as fulls (both restore on their own).
 * With {@code diffs} set, only the newest {@code diffs} DIFF sets on kept fulls are kept, and an INCR is kept only
 * when the nearest DIFF in its chain is kept (or it has none): when a differential expires, the incrementals on it
 * expire with it, as in pgBackRest. Without {@code diffs}, every dependent of a kept full is kept.
 *
 * @param fulls how many fulls to keep, at least 1
 * @param diffs how many differentials to keep (at least 1), or empty for all on kept fulls
 * @since 0.1.0
 */
public record FullChainRetention(int fulls, OptionalInt diffs) implements RetentionPolicy {
    /** Validates the components (every problem at once). */
    public FullChainRetention {
        diffs = diffs == null ? OptionalInt.empty() : diffs;
        ConfigurationException.throwIfAny(validate(fulls, diffs));
    }

    /**
     * @return a builder; {@code fulls} is required
     * @since 0.1.0
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<Keep> keeps(List<BackupSet> candidates, Instant now) {
        Map<BackupId, BackupSet> byId = new HashMap<>(candidates.size() * 2);
        for (BackupSet s : candidates) {
            byId.put(s.id(), s);
        }
        List<Keep> keeps = new ArrayList<>();
        Set<BackupId> keptFulls = new HashSet<>();
        for (BackupSet s : candidates) {
            if (keptFulls.size() < fulls && isFull(s)) {
                keptFulls.add(s.id());
                keeps.add(new Keep(s.id(), describe() + ": full " + keptFulls.size() + "/" + fulls));
            }
        }
        // diffs first (newest first), so that the INCRs on them, which are newer, can ask whether their diff is kept
        Set<BackupId> keptDiffs = new HashSet<>();
        for (BackupSet s : candidates) {
            Optional<BackupId> root = s.type() == BackupType.DIFF ? root(s, byId) : Optional.empty();
            if (root.isPresent() && keptFulls.contains(root.get())
                    && (diffs.isEmpty() || keptDiffs.size() < diffs.getAsInt())) {
                keptDiffs.add(s.id());
                keeps.add(new Keep(s.id(), describe() + ": differential "
                        + (diffs.isEmpty() ? "" : keptDiffs.size() + "/" + diffs.getAsInt() + " ")
                        + "on kept full " + root.get()));
            }
        }
        for (BackupSet s : candidates) {
            if (isFull(s) || s.type() == BackupType.DIFF) {
                continue;
            }
            Optional<BackupId> root = root(s, byId);
            if (root.isEmpty() || !keptFulls.contains(root.get())) {
                continue;
            }
            Optional<BackupSet> diff = nearestDiff(s, byId);
            if (diff.isEmpty()) {
                keeps.add(new Keep(s.id(), describe() + ": " + s.type() + " on kept full " + root.get()));
            } else if (keptDiffs.contains(diff.get().id())) {
                keeps.add(new Keep(s.id(), describe() + ": " + s.type() + " on kept differential " + diff.get().id()));
            }
        }
        return keeps;
    }

    private static boolean isFull(BackupSet s) {
        return s.type() == BackupType.FULL || s.type() == BackupType.LOGICAL;
    }

    // Chains are short in practice (an INCR chain ends at the next full or diff); the bound guards against cycles.
    private static Optional<BackupId> root(BackupSet s, Map<BackupId, BackupSet> byId) {
        BackupSet cur = s;
        for (int steps = 0; steps <= byId.size(); steps++) {
            if (isFull(cur)) {
                return Optional.of(cur.id());
            }
            if (cur.dependsOn().isEmpty()) {
                return Optional.empty();
            }
            cur = byId.get(cur.dependsOn().get());
            if (cur == null) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Optional<BackupSet> nearestDiff(BackupSet s, Map<BackupId, BackupSet> byId) {
        BackupSet cur = s;
        for (int steps = 0; cur != null && steps <= byId.size(); steps++) {
            if (cur.type() == BackupType.DIFF) {
                return Optional.of(cur);
            }
            if (isFull(cur) || cur.dependsOn().isEmpty()) {
                return Optional.empty();
            }
            cur = byId.get(cur.dependsOn().get());
        }
        return Optional.empty();
    }

    @Override
    public String describe() {
        return "fulls " + fulls + (diffs.isPresent() ? " diffs " + diffs.getAsInt() : "");
    }

    private static List<String> validate(int fulls, OptionalInt diffs) {
        List<String> problems = new ArrayList<>();
        if (fulls < 1) {
            problems.add("fulls must be at least 1, was " + fulls);
        }
        if (diffs.isPresent() && diffs.getAsInt() < 1) {
            problems.add("diffs must be at least 1 when set, was " + diffs.getAsInt());
        }
        return problems;
    }

    /**
     * Builds a {@link FullChainRetention}; {@link #build()} reports every problem at once.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private Integer fulls;
        private OptionalInt diffs = OptionalInt.empty();

        private Builder() {
        }

        /** @param n fulls to keep (required, at least 1) @return this @since 0.1.0 */
        public Builder fulls(int n) {
            this.fulls = n;
            return this;
        }

        /** @param n differentials to keep (at least 1); default: all on kept fulls @return this @since 0.1.0 */
        public Builder diffs(int n) {
            this.diffs = OptionalInt.of(n);
            return this;
        }

        /** @return the policy @since 0.1.0 */
        public FullChainRetention build() {
            List<String> problems = new ArrayList<>();
            if (fulls == null) {
                problems.add("fulls is required");
            }
            problems.addAll(validate(fulls == null ? 1 : fulls, diffs));
            ConfigurationException.throwIfAny(problems);
            return new FullChainRetention(fulls, diffs);
        }
    }
}
