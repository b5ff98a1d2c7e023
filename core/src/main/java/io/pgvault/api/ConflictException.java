package io.pgvault.api;

/**
 * The operation would overwrite or destroy existing data without being told it may (for example a restore over an
 * existing database without {@code dropExisting}).
 *
 * @since 0.1.0
 */
public class ConflictException extends PgVaultException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** @param message what would be overwritten, and how to allow it */
    public ConflictException(String message) {
        super(ErrorCode.CONFLICT, message);
    }
}
