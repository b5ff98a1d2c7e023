package io.pgvault.api;

/**
 * A backup set or stored object does not exist.
 *
 * @since 0.1.0
 */
public class NotFoundException extends PgVaultException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** @param message what is missing, and where */
    public NotFoundException(String message) {
        super(ErrorCode.NOT_FOUND, message);
    }
}
