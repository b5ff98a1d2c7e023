package io.pgvault.api.event;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.RestoreResult;
import io.pgvault.api.VerifyResult;
import io.pgvault.api.retention.PruneReport;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The events core emits. Each is a record implementing {@link VaultEvent}; match on them with {@code instanceof}
 * or a switch.
 *
 * @since 0.2.0
 */
public final class Events {

    private Events() {
    }

    /**
     * A backup started.
     *
     * @param at       when
     * @param location repository id
     * @param id       the set being written
     * @param strategy the strategy's name
     */
    public record BackupStarted(Instant at, String location, BackupId id, String strategy) implements VaultEvent {
        /** Checks the components. */
        public BackupStarted {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(strategy, "strategy");
        }
    }

    /**
     * A backup committed: its manifest is written.
     *
     * @param at       when
     * @param location repository id
     * @param set      the committed set
     */
    public record BackupCompleted(Instant at, String location, BackupSet set) implements VaultEvent {
        /** Checks the components. */
        public BackupCompleted {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(set, "set");
        }
    }

    /**
     * A backup failed; nothing was listed.
     *
     * @param at       when
     * @param location repository id
     * @param id       the set that was being written
     * @param strategy the strategy's name
     * @param error    the failure (its message is already redacted)
     */
    public record BackupFailed(Instant at, String location, BackupId id, String strategy, Throwable error)
            implements VaultEvent {
        /** Checks the components. */
        public BackupFailed {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(strategy, "strategy");
            Objects.requireNonNull(error, "error");
        }

        /** @return the error code when the failure is a {@link PgVaultException} */
        public Optional<ErrorCode> code() {
            return error instanceof PgVaultException p ? Optional.of(p.code()) : Optional.empty();
        }
    }

    /**
     * Progress of a long operation, at most about once a second per operation.
     *
     * @param at             when
     * @param location       repository id or tier name
     * @param id             the set concerned
     * @param phase          what is being done
     * @param bytes          logical bytes processed so far
     * @param elapsed        time since the operation started
     * @param bytesPerSecond average rate since the start
     */
    public record Progress(Instant at, String location, BackupId id, Phase phase, long bytes, Duration elapsed,
            double bytesPerSecond) implements VaultEvent {
        /** Checks the components. */
        public Progress {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(elapsed, "elapsed");
        }
    }

    /**
     * A set was verified (checksums, and with {@code deep} its structure).
     *
     * @param at       when
     * @param location repository id
     * @param result   the outcome, including problems found
     */
    public record Verified(Instant at, String location, VerifyResult result) implements VaultEvent {
        /** Checks the components. */
        public Verified {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(result, "result");
        }
    }

    /**
     * A restore finished.
     *
     * @param at       when
     * @param location repository id
     * @param result   what was restored
     */
    public record RestoreCompleted(Instant at, String location, RestoreResult result) implements VaultEvent {
        /** Checks the components. */
        public RestoreCompleted {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(result, "result");
        }
    }

    /**
     * A restore failed.
     *
     * @param at       when
     * @param location repository id
     * @param id       the set that was being restored
     * @param error    the failure
     */
    public record RestoreFailed(Instant at, String location, BackupId id, Throwable error) implements VaultEvent {
        /** Checks the components. */
        public RestoreFailed {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * Retention was applied (or, in a dry run, planned).
     *
     * @param at       when
     * @param location repository id or tier name
     * @param report   what was (or would be) removed
     */
    public record Pruned(Instant at, String location, PruneReport report) implements VaultEvent {
        /** Checks the components. */
        public Pruned {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(report, "report");
        }
    }

    /**
     * A set was copied to a tier and the copy verified by hash.
     *
     * @param at       when
     * @param location the tier's name
     * @param set      the set as stored on the tier
     * @param bytes    bytes stored on the tier
     * @param duration how long the copy took
     */
    public record CopiedToTier(Instant at, String location, BackupSet set, long bytes, Duration duration)
            implements VaultEvent {
        /** Checks the components. */
        public CopiedToTier {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(set, "set");
            Objects.requireNonNull(duration, "duration");
        }
    }

    /**
     * Copying a set to a tier failed; the primary set is untouched and a later sync retries.
     *
     * @param at       when
     * @param location the tier's name
     * @param id       the set
     * @param error    the failure
     */
    public record TierCopyFailed(Instant at, String location, BackupId id, Throwable error) implements VaultEvent {
        /** Checks the components. */
        public TierCopyFailed {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * A set that a tier should have received was pruned from the primary before it was copied: the tier waited longer
     * than its {@code maxCopyWait} (it was down, or failing). The tier will never hold that set.
     *
     * @param at       when
     * @param location the tier's name
     * @param id       the set
     * @param required whether the tier is required
     * @param reason   what happened, for the operator
     * @since 0.3.0
     */
    public record TierCopyAbandoned(Instant at, String location, BackupId id, boolean required, String reason)
            implements VaultEvent {
        /** Checks the components. */
        public TierCopyAbandoned {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
