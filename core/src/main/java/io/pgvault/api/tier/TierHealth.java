package io.pgvault.api.tier;

import io.pgvault.api.BackupId;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of one tier, for health checks: what it lacks now (read from the catalogs, so it survives restarts) and
 * the last success and failure this process saw.
 *
 * @param tier          the tier's name
 * @param location      the tier repository's id
 * @param required      whether the tier is required
 * @param missing       sets its filter selects (and its retention would keep) that are committed on the primary but
 *                      not on the tier, oldest first; empty when the tier is complete
 * @param newestCopy    start time of the newest set committed on the tier, if any
 * @param lastSuccess   when this process last copied a set to the tier (or found it complete), if ever
 * @param lastFailure   the last failure this process saw on the tier, if any (cleared by nothing: compare with
 *                      {@code lastSuccess})
 * @param unreadable    why the tier could not be listed just now, if it could not
 * @param lost          sets the tier will never get: pruned from the primary before they were copied (recorded in
 *                      the primary's notices), or still there but waiting longer than {@link Tier#maxCopyWait()}
 * @since 0.2.0
 */
public record TierHealth(String tier, String location, boolean required, List<BackupId> missing,
        Optional<Instant> newestCopy, Optional<Instant> lastSuccess, Optional<TierFailure> lastFailure,
        Optional<String> unreadable, List<BackupId> lost) {

    /** Validates the components and copies the list. */
    public TierHealth {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(location, "location");
        missing = List.copyOf(Objects.requireNonNull(missing, "missing"));
        newestCopy = newestCopy == null ? Optional.empty() : newestCopy;
        lastSuccess = lastSuccess == null ? Optional.empty() : lastSuccess;
        lastFailure = lastFailure == null ? Optional.empty() : lastFailure;
        unreadable = unreadable == null ? Optional.empty() : unreadable;
        lost = lost == null ? List.of() : List.copyOf(lost);
    }

    /**
     * The components of 0.2.0, with no lost sets.
     *
     * @param tier        the tier's name
     * @param location    the tier repository's id
     * @param required    whether the tier is required
     * @param missing     sets it lacks
     * @param newestCopy  its newest copy
     * @param lastSuccess last success seen
     * @param lastFailure last failure seen
     * @param unreadable  why it could not be listed
     */
    public TierHealth(String tier, String location, boolean required, List<BackupId> missing,
            Optional<Instant> newestCopy, Optional<Instant> lastSuccess, Optional<TierFailure> lastFailure,
            Optional<String> unreadable) {
        this(tier, location, required, missing, newestCopy, lastSuccess, lastFailure, unreadable, List.of());
    }

    /** @return whether the tier holds everything it should and could be read */
    public boolean healthy() {
        return missing.isEmpty() && unreadable.isEmpty() && lost.isEmpty();
    }

    /** @return whether the most recent event on the tier in this process was a failure */
    public boolean failing() {
        return lastFailure.isPresent()
                && (lastSuccess.isEmpty() || lastFailure.get().at().isAfter(lastSuccess.get()));
    }
}
