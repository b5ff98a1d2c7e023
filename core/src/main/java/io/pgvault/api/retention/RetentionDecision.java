package io.pgvault.api.retention;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;

import java.util.List;
import java.util.Objects;

/**
 * What a plan decides for one set, and why.
 *
 * @param set     the set
 * @param action  keep or delete
 * @param reasons why, at least one; for a kept set every rule that keeps it
 * @since 0.1.0
 */
public record RetentionDecision(BackupSet set, Action action, List<String> reasons) {
    /** Validates the components and copies the reasons. */
    public RetentionDecision {
        Objects.requireNonNull(set, "set");
        Objects.requireNonNull(action, "action");
        reasons = List.copyOf(Objects.requireNonNull(reasons, "reasons"));
        if (reasons.isEmpty()) {
            throw new IllegalArgumentException("decision for " + set.id() + " has no reason");
        }
    }

    /**
     * @return the set's id
     * @since 0.1.0
     */
    public BackupId id() {
        return set.id();
    }

    /**
     * @return whether the set is kept
     * @since 0.1.0
     */
    public boolean keep() {
        return action == Action.KEEP;
    }

    /** @return one line: action, type, id, start and reasons */
    @Override
    public String toString() {
        return String.format("%-6s %-7s %s  %s  %s", action, set.type(), set.id(), set.startedAt(),
                String.join("; ", reasons));
    }

    /**
     * Keep or delete.
     *
     * @since 0.1.0
     */
    public enum Action {
        /** The set stays. */
        KEEP,
        /** The set is removed by a prune. */
        DELETE
    }
}
