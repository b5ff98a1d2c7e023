package io.pgvault.api;

/**
 * A repository key is unsafe (absolute, contains {@code ..}, empty segments) or uses characters outside the safe set.
 *
 * @since 0.1.0
 */
public class InvalidKeyException extends RepositoryException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** @param message why the key is unsafe */
    public InvalidKeyException(String message) {
        super(ErrorCode.INVALID_KEY, message, null);
    }
}
