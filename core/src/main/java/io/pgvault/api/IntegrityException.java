package io.pgvault.api;

/**
 * Stored bytes do not match what was recorded when they were written: corruption, truncation, or a dump whose
 * structure is incomplete.
 *
 * @since 0.1.0
 */
public class IntegrityException extends PgVaultException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the object */
    public IntegrityException(String message) {
        super(ErrorCode.INTEGRITY, message);
    }

    /**
     * @param message what is wrong, naming the object
     * @param cause   the underlying failure
     */
    public IntegrityException(String message, Throwable cause) {
        super(ErrorCode.INTEGRITY, message, cause);
    }

    /**
     * @param code    a more specific classification
     * @param message what is wrong
     * @param cause   the underlying failure, or null
     */
    protected IntegrityException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
