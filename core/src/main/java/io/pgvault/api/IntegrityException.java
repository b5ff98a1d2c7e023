package io.pgvault.api;

/**
 * Stored bytes do not match what was recorded when they were written: corruption, truncation, or a dump whose
 * structure is incomplete.
 *
 * @since 0.1.0
 */
public class IntegrityException extends PgVaultException {
    private static final long serialVersionUID = 1L;

    public IntegrityException(String message) {
        super(ErrorCode.INTEGRITY, message);
    }

    public IntegrityException(String message, Throwable cause) {
        super(ErrorCode.INTEGRITY, message, cause);
    }

    protected IntegrityException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
