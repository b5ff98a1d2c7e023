package io.pgvault.storage.s3;

import java.util.Optional;

/**
 * Server-side encryption of the objects an {@link S3Repository} writes.
 *
 * @param mode     none, SSE-S3 or SSE-KMS
 * @param kmsKeyId the KMS key (id, ARN or alias) for SSE-KMS; empty means the bucket's or account's default key
 * @since 0.1.0
 */
public record S3Encryption(Mode mode, Optional<String> kmsKeyId) {
    /**
     * No server-side encryption requested (the bucket's default encryption still applies).
     *
     * @since 0.1.0
     */
    public static final S3Encryption NONE = new S3Encryption(Mode.NONE, Optional.empty());
    /**
     * SSE-S3: keys managed by S3 ({@code AES256}).
     *
     * @since 0.1.0
     */
    public static final S3Encryption SSE_S3 = new S3Encryption(Mode.SSE_S3, Optional.empty());

    /** Validates the components: a key id only with SSE-KMS. */
    public S3Encryption {
        if (mode == null) {
            throw new IllegalArgumentException("mode is required");
        }
        kmsKeyId = kmsKeyId == null ? Optional.empty() : kmsKeyId.filter(id -> !id.isBlank());
        if (mode != Mode.SSE_KMS && kmsKeyId.isPresent()) {
            throw new IllegalArgumentException("a KMS key id needs mode SSE_KMS, not " + mode);
        }
    }

    /**
     * @param keyId the KMS key (id, ARN or alias)
     * @return SSE-KMS with that key
     * @since 0.1.0
     */
    public static S3Encryption sseKms(String keyId) {
        return new S3Encryption(Mode.SSE_KMS, Optional.of(keyId));
    }

    /**
     * @return SSE-KMS with the default {@code aws/s3} key
     * @since 0.1.0
     */
    public static S3Encryption sseKms() {
        return new S3Encryption(Mode.SSE_KMS, Optional.empty());
    }

    /**
     * Kinds of server-side encryption.
     *
     * @since 0.1.0
     */
    public enum Mode {
        /** None requested. */
        NONE,
        /** {@code AES256}, keys managed by S3. */
        SSE_S3,
        /** {@code aws:kms}, keys in AWS KMS. */
        SSE_KMS
    }
}
