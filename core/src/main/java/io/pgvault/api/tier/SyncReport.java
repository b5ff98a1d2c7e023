package io.pgvault.api.tier;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What a sync did on every tier.
 *
 * @param tiers    one report per tier, in the order the tiers were declared
 * @param duration how long the sync took
 * @since 0.2.0
 */
public record SyncReport(List<TierReport> tiers, Duration duration) {

    /** Validates the components and copies the list. */
    public SyncReport {
        tiers = List.copyOf(Objects.requireNonNull(tiers, "tiers"));
        Objects.requireNonNull(duration, "duration");
    }

    /** @return whether every tier is now complete */
    public boolean succeeded() {
        return tiers.stream().allMatch(TierReport::succeeded);
    }

    /** @return every failed copy, all tiers */
    public List<SetCopy> failures() {
        return tiers.stream().flatMap(t -> t.failures().stream()).toList();
    }

    /** @return every successful copy, all tiers */
    public List<SetCopy> copied() {
        return tiers.stream().flatMap(t -> t.copies().stream()).filter(SetCopy::succeeded).toList();
    }

    /** @return a human-readable summary, one block per tier */
    public String render() {
        return tiers.stream().map(TierReport::describe).collect(Collectors.joining("\n"));
    }
}
