package io.pgvault.storage.s3;

/**
 * The S3 storage classes an {@link S3Repository} can write objects in. S3-compatible stores support a subset (most
 * only {@link #STANDARD}).
 *
 * @since 0.1.0
 */
public enum S3StorageClass {
    /** Frequent access; the default. */
    STANDARD,
    /** Infrequent access, millisecond retrieval, 30-day minimum. */
    STANDARD_IA,
    /** Infrequent access in one availability zone. */
    ONEZONE_IA,
    /** Automatic tiering by access pattern. */
    INTELLIGENT_TIERING,
    /** Glacier Instant Retrieval: archive, millisecond retrieval, 90-day minimum. */
    GLACIER_IR,
    /** Glacier Flexible Retrieval: objects must be restored before they can be read. */
    GLACIER,
    /** Glacier Deep Archive: cheapest, restored within hours, 180-day minimum. */
    DEEP_ARCHIVE;

    /**
     * @return the value of the {@code x-amz-storage-class} header (no released pgBackRest has a storage-class option:
     *         the pgBackRest backend refuses a class other than {@link #STANDARD})
     */
    public String headerValue() {
        return name();
    }
}
