package io.pgvault.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a repository knows about a stored object.
 *
 * @param key          the object's key
 * @param size         size in bytes
 * @param lastModified when it was written
 * @param sha256       SHA-256 (lower-case hex) of its bytes, when the repository records one
 * @since 0.1.0
 */
public record ObjectInfo(String key, long size, Instant lastModified, Optional<String> sha256) {
    /** Validates the components; copies collections and replaces null optionals with empty ones. */
    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lastModified, "lastModified");
        sha256 = sha256 == null ? Optional.empty() : sha256;
        if (size < 0) {
            throw new IllegalArgumentException("size < 0");
        }
    }
}
