package io.pgvault.spi;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Produces an object's bytes into the stream a {@link Repository#put} hands it. The producer must not close the
 * stream. If it throws, the put fails and nothing becomes visible.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface ObjectWriter {
    /**
     * @param out where to write the object's bytes
     * @throws IOException when producing or writing fails
     */
    void writeTo(OutputStream out) throws IOException;
}
