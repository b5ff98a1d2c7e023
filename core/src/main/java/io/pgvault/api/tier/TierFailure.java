package io.pgvault.api.tier;

import io.pgvault.api.BackupId;
import io.pgvault.api.ErrorCode;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The last failure seen on a tier by this process.
 *
 * @param at        when
 * @param id        the set whose copy failed, if the failure concerned one set
 * @param code      the error code
 * @param retryable whether trying again may help
 * @param message   what went wrong (secret-free, like every pgvault message)
 * @since 0.2.0
 */
public record TierFailure(Instant at, Optional<BackupId> id, ErrorCode code, boolean retryable, String message) {
    /** Validates the components. */
    public TierFailure {
        Objects.requireNonNull(at, "at");
        id = id == null ? Optional.empty() : id;
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
