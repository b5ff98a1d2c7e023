package io.pgvault.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A write a process began and never finished or abandoned, such as an S3 multipart upload left by a killed JVM:
 * invisible to readers, but stored (and billed) until it is aborted.
 *
 * @param key     the repository key it was writing
 * @param id      the store's handle on it (an S3 upload id)
 * @param started when the store says it began
 * @since 0.5.0
 */
public record IncompleteWrite(String key, String id, Instant started) {
    /** Validates the components. */
    public IncompleteWrite {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(started, "started");
    }
}
