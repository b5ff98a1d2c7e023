package io.pgvault.api;

/**
 * A storage operation failed: I/O, network, permissions, a full disk.
 *
 * @since 0.1.0
 */
public class RepositoryException extends PgVaultException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, naming the repository and key
     * @param cause   the underlying failure, or null
     */
    public RepositoryException(String message, Throwable cause) {
        super(ErrorCode.REPOSITORY, message, cause);
    }

    /**
     * @param code    a more specific classification
     * @param message what failed
     * @param cause   the underlying failure, or null
     */
    protected RepositoryException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
