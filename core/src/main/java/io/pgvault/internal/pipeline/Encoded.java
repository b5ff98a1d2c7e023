package io.pgvault.internal.pipeline;

/**
 * Sizes and digests of one encoded object.
 *
 * @param logicalBytes  bytes written into the pipeline
 * @param logicalSha256 SHA-256 (hex) of those bytes
 * @param storedBytes   bytes that left the pipeline (compressed, encrypted)
 * @param storedSha256  SHA-256 (hex) of the stored bytes
 * @param ageHeaderSha256 SHA-256 (hex) of the age header, when the object is encrypted
 */
public record Encoded(long logicalBytes, String logicalSha256, long storedBytes, String storedSha256,
        java.util.Optional<String> ageHeaderSha256) {

    /** The object attribute that pins its age header (the header's SHA-256), recorded in the manifest. */
    public static final String AGE_HEADER_ATTRIBUTE = AgeHeaderScanner.ATTRIBUTE;

    /**
     * An object without an age header.
     *
     * @param logicalBytes  bytes written into the pipeline
     * @param logicalSha256 SHA-256 (hex) of those bytes
     * @param storedBytes   bytes that left the pipeline
     * @param storedSha256  SHA-256 (hex) of the stored bytes
     */
    public Encoded(long logicalBytes, String logicalSha256, long storedBytes, String storedSha256) {
        this(logicalBytes, logicalSha256, storedBytes, storedSha256, java.util.Optional.empty());
    }

    /**
     * @param attributes an object's attributes
     * @return them with the age header's digest added, when there is one
     */
    public java.util.Map<String, String> withHeader(java.util.Map<String, String> attributes) {
        if (ageHeaderSha256.isEmpty()) {
            return attributes;
        }
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>(attributes);
        out.put(AGE_HEADER_ATTRIBUTE, ageHeaderSha256.get());
        return out;
    }
}
