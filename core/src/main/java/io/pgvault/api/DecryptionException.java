package io.pgvault.api;

/**
 * Decryption failed: the key or passphrase is wrong, or the ciphertext was altered.
 *
 * @since 0.1.0
 */
public class DecryptionException extends IntegrityException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, naming the object, never the key
     * @param cause   the underlying failure, or null
     */
    public DecryptionException(String message, Throwable cause) {
        super(ErrorCode.DECRYPTION, message, cause);
    }
}
