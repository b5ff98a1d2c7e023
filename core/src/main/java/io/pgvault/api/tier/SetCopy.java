package io.pgvault.api.tier;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.PgVaultException;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of copying one set to one tier.
 *
 * @param tier           the tier's name
 * @param id             the set
 * @param copy           the set as committed on the tier (its objects carry the tier's keys and stored digests), or
 *                       empty when the copy failed
 * @param objectsCopied  objects sent to the tier by this attempt
 * @param objectsReused  objects already on the tier from an interrupted attempt, verified and kept
 * @param bytesSent      stored bytes sent to the tier by this attempt
 * @param duration       how long the attempt took
 * @param error          why the copy failed; the tier lists nothing for the set then
 * @since 0.2.0
 */
public record SetCopy(String tier, BackupId id, Optional<BackupSet> copy, int objectsCopied, int objectsReused,
        long bytesSent, Duration duration, Optional<PgVaultException> error) {

    /** Validates the components. */
    public SetCopy {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(id, "id");
        copy = copy == null ? Optional.empty() : copy;
        Objects.requireNonNull(duration, "duration");
        error = error == null ? Optional.empty() : error;
        if (copy.isPresent() == error.isPresent()) {
            throw new IllegalArgumentException("a set copy has either a committed copy or an error");
        }
    }

    /** @return whether the set is now committed on the tier */
    public boolean succeeded() {
        return copy.isPresent();
    }

    /** @return a one-line summary */
    public String describe() {
        return error.map(e -> "FAILED " + id + " -> " + tier + ": " + e.getMessage())
                .orElseGet(() -> "copied " + id + " -> " + tier + ": " + objectsCopied + " object(s) sent ("
                        + bytesSent + " bytes), " + objectsReused + " reused, verified in " + duration.toMillis()
                        + " ms");
    }
}
