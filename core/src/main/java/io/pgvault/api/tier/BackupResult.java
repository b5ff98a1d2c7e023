package io.pgvault.api.tier;

import io.pgvault.api.BackupSet;

import java.util.List;
import java.util.Objects;

/**
 * A backup and what happened on each tier afterwards. The set is committed on the primary whatever the tiers did.
 *
 * @param set   the set committed on the primary
 * @param tiers one report per tier (empty when no tiers are configured)
 * @since 0.2.0
 */
public record BackupResult(BackupSet set, List<TierReport> tiers) {

    /** Validates the components and copies the list. */
    public BackupResult {
        Objects.requireNonNull(set, "set");
        tiers = List.copyOf(Objects.requireNonNull(tiers, "tiers"));
    }

    /** @return whether every tier received what it should */
    public boolean allTiersSucceeded() {
        return tiers.stream().allMatch(TierReport::succeeded);
    }

    /** @return the reports of tiers that failed */
    public List<TierReport> failedTiers() {
        return tiers.stream().filter(t -> !t.succeeded()).toList();
    }

    /** @return the reports of required tiers that failed */
    public List<TierReport> failedRequiredTiers() {
        return tiers.stream().filter(t -> t.required() && !t.succeeded()).toList();
    }
}
