package io.pgvault.internal.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The first stage of decoding: counts and hashes the stored bytes as the stages pull them, as a stream (for
 * decompressors) and a channel (for Jagged). It remembers an I/O failure of the underlying stream, so that later
 * stages' errors can be told apart: a failing disk or network stays an {@link IOException}, anything else the
 * stages complain about is damage to the data.
 */
final class StoredBytesSource extends InputStream implements ReadableByteChannel {
    private static final int DRAIN_BUFFER = 64 * 1024;

    private final InputStream stored;
    private final MessageDigest sha256 = Sha256.newDigest();
    private long count;
    private IOException failure;
    private boolean open = true;

    StoredBytesSource(InputStream stored) {
        this.stored = Objects.requireNonNull(stored, "stored");
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = stored.read(b, off, len);
        } catch (IOException e) {
            failure = e;
            throw e;
        }
        if (n > 0) {
            sha256.update(b, off, n);
            count += n;
        }
        return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (dst.hasArray()) {
            int n = read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        }
        byte[] copy = new byte[Math.min(dst.remaining(), DRAIN_BUFFER)];
        int n = read(copy, 0, copy.length);
        if (n > 0) {
            dst.put(copy, 0, n);
        }
        return n;
    }

    /**
     * Reads to the end, so that the digest covers every stored byte, even those after the end of the compressed
     * stream, stopping early once more than {@code limit} bytes have been seen.
     */
    void drain(long limit) throws IOException {
        byte[] buffer = new byte[DRAIN_BUFFER];
        while (count <= limit && read(buffer, 0, buffer.length) >= 0) {
            // counted and hashed by read
        }
    }

    /** @return the failure of the underlying stream, if reading it failed */
    IOException failure() {
        return failure;
    }

    long count() {
        return count;
    }

    /** @return the hex SHA-256 of every byte read; call once, at the end */
    String sha256() {
        return Sha256.hex(sha256);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        if (open) {
            open = false;
            stored.close();
        }
    }
}
