package io.pgvault.internal.pipeline;

/**
 * Sizes and digests of one encoded object.
 *
 * @param logicalBytes  bytes written into the pipeline
 * @param logicalSha256 SHA-256 (hex) of those bytes
 * @param storedBytes   bytes that left the pipeline (compressed, encrypted)
 * @param storedSha256  SHA-256 (hex) of the stored bytes
 */
public record Encoded(long logicalBytes, String logicalSha256, long storedBytes, String storedSha256) {
}
