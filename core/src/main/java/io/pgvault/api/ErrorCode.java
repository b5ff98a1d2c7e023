package io.pgvault.api;

/**
 * A stable, machine-readable classification of every failure pgvault reports.
 *
 * @since 0.1.0
 */
public enum ErrorCode {
    /** Settings are missing, contradictory or malformed. */
    CONFIGURATION(false),
    /** A repository key is unsafe or malformed. */
    INVALID_KEY(false),
    /** A storage operation failed (I/O, network, permissions, full disk). */
    REPOSITORY(true),
    /** The requested backup set or object does not exist. */
    NOT_FOUND(false),
    /** Stored bytes do not match what was recorded: corruption or truncation. */
    INTEGRITY(false),
    /** Decryption failed: wrong key or passphrase, or tampered ciphertext. */
    DECRYPTION(false),
    /** An external tool is not installed or not executable. */
    TOOL_MISSING(false),
    /** An external tool exited with a failure. */
    TOOL_FAILED(true),
    /** An operation exceeded its time limit. */
    TIMEOUT(true),
    /** The operation would overwrite or destroy something without being told it may. */
    CONFLICT(false),
    /** The calling thread was interrupted. */
    INTERRUPTED(true),
    /**
     * The stored bytes are in an archive storage class (S3 Glacier Flexible Retrieval, Deep Archive) and must be
     * restored from the archive before they can be read; repeating the read unchanged does not help.
     *
     * @since 0.5.0
     */
    ARCHIVED(false);

    private final boolean retryable;

    ErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    /** @return whether repeating the operation unchanged may succeed */
    public boolean retryable() {
        return retryable;
    }
}
