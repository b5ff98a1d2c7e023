package io.pgvault.api.tier;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;

import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A required tier did not receive its copy. The backup itself is committed on the primary: {@link #result()} holds
 * it and every tier's report; the next sync retries.
 *
 * @since 0.2.0
 */
public final class TierCopyException extends PgVaultException {
    private static final long serialVersionUID = 1L;

    private final transient BackupResult result;

    /**
     * @param result the committed backup and the tiers' reports
     */
    public TierCopyException(BackupResult result) {
        super(code(result), message(result), cause(result));
        this.result = Objects.requireNonNull(result, "result");
    }

    /** @return the committed backup and every tier's report */
    public BackupResult result() {
        return result;
    }

    private static String message(BackupResult result) {
        return "backup " + result.set().id() + " is committed on the primary, but required tier(s) failed: "
                + result.failedRequiredTiers().stream().map(TierReport::describe).collect(Collectors.joining("; "));
    }

    private static PgVaultException cause(BackupResult result) {
        return result.failedRequiredTiers().stream().flatMap(t -> t.failures().stream())
                .flatMap(c -> c.error().stream()).findFirst().orElse(null);
    }

    private static ErrorCode code(BackupResult result) {
        PgVaultException cause = cause(result);
        return cause != null ? cause.code() : ErrorCode.REPOSITORY;
    }
}
