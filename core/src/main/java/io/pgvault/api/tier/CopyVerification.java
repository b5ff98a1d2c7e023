package io.pgvault.api.tier;

/**
 * How a copy on a tier is proven to hold the bytes that were sent.
 *
 * @since 0.2.0
 */
public enum CopyVerification {
    /**
     * Read the stored object back from the tier and compare its size and SHA-256 with what was sent. The default:
     * it trusts nothing but the bytes, at the cost of one download per copied object.
     */
    READ_BACK,
    /**
     * Trust the SHA-256 the repository reports for the object ({@code ObjectInfo#sha256()} from {@code stat}), and
     * read back only when it reports none. Use it for repositories whose digest is computed or checked by the store
     * itself (S3 with checksum headers, a local file system's recorded digest).
     */
    REPOSITORY_DIGEST
}
