package io.pgvault.operations.health;

import io.pgvault.api.PgVaultException;

import java.time.Instant;
import java.util.Optional;

/** The latest success and failure heard of at one location. */
final class Outcomes {
    private Instant lastSuccess;
    private Failure lastFailure;

    synchronized void success(Instant at) {
        if (lastSuccess == null || at.isAfter(lastSuccess)) {
            lastSuccess = at;
        }
    }

    synchronized void failure(Instant at, String setId, Throwable error) {
        if (lastFailure == null || !at.isBefore(lastFailure.at())) {
            Optional<String> code = error instanceof PgVaultException p ? Optional.of(p.code().name())
                    : Optional.empty();
            boolean retryable = error instanceof PgVaultException p && p.retryable();
            lastFailure = new Failure(at, setId, String.valueOf(error.getMessage()), code, retryable);
        }
    }

    synchronized Instant lastSuccess() {
        return lastSuccess;
    }

    synchronized Failure lastFailure() {
        return lastFailure;
    }

    /** @return the last failure when no success came after it */
    synchronized Failure unresolvedFailure() {
        if (lastFailure == null || (lastSuccess != null && lastSuccess.isAfter(lastFailure.at()))) {
            return null;
        }
        return lastFailure;
    }

    record Failure(Instant at, String setId, String message, Optional<String> code, boolean retryable) {
    }
}
