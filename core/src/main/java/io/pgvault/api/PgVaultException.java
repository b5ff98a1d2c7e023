package io.pgvault.api;

import java.util.Objects;

/**
 * The root of every exception pgvault throws. Unchecked; carries an {@link ErrorCode} and whether a retry can help.
 * Messages never contain secrets.
 *
 * @since 0.1.0
 */
public class PgVaultException extends RuntimeException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The classification of this failure. */
    private final ErrorCode code;

    /**
     * @param code    classification
     * @param message what failed, without secrets
     */
    public PgVaultException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /**
     * @param code    classification
     * @param message what failed, without secrets
     * @param cause   the underlying failure, or null
     */
    public PgVaultException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** @return the classification of this failure */
    public ErrorCode code() {
        return code;
    }

    /** @return whether repeating the operation unchanged may succeed */
    public boolean retryable() {
        return code.retryable();
    }
}
