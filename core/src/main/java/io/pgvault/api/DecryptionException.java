package io.pgvault.api;

/**
 * Decryption failed: the key or passphrase is wrong, or the ciphertext was altered.
 *
 * @since 0.1.0
 */
public class DecryptionException extends IntegrityException {
    private static final long serialVersionUID = 1L;

    public DecryptionException(String message, Throwable cause) {
        super(ErrorCode.DECRYPTION, message, cause);
    }
}
