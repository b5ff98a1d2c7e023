package io.pgvault.internal.pipeline;

/**
 * Size and SHA-256 of a byte stream.
 *
 * @param size   bytes read
 * @param sha256 lower-case hex SHA-256
 */
public record Digest(long size, String sha256) {
}
