package io.pgvault.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Writes every byte to two streams, e.g. to the original {@code System.err} and to a buffer a test searches
 * afterwards for what must never be logged. Writes are synchronized, so several threads may log through it;
 * {@link #close()} closes neither stream.
 *
 * @since 0.2.0
 */
public final class TeeOutputStream extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    /**
     * @param first  written first (typically the original stream)
     * @param second written second (typically a {@link java.io.ByteArrayOutputStream})
     * @since 0.2.0
     */
    public TeeOutputStream(OutputStream first, OutputStream second) {
        this.first = Objects.requireNonNull(first, "first");
        this.second = Objects.requireNonNull(second, "second");
    }

    /**
     * @param b the byte
     * @throws IOException when either stream fails
     */
    @Override
    public synchronized void write(int b) throws IOException {
        first.write(b);
        second.write(b);
    }

    /**
     * @param b   the bytes
     * @param off where they start
     * @param len how many
     * @throws IOException when either stream fails
     */
    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        first.write(b, off, len);
        second.write(b, off, len);
    }

    /**
     * Flushes both streams.
     *
     * @throws IOException when either stream fails
     */
    @Override
    public void flush() throws IOException {
        first.flush();
        second.flush();
    }
}
