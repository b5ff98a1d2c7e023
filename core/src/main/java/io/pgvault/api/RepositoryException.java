package io.pgvault.api;

/**
 * A storage operation failed: I/O, network, permissions, a full disk.
 *
 * @since 0.1.0
 */
public class RepositoryException extends PgVaultException {
    private static final long serialVersionUID = 1L;

    public RepositoryException(String message, Throwable cause) {
        super(ErrorCode.REPOSITORY, message, cause);
    }

    protected RepositoryException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
