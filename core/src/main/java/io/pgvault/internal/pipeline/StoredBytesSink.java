package io.pgvault.internal.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The last stage of encoding: counts and hashes the stored bytes on their way into the sink. It is both a stream
 * (for compressors) and a channel (for Jagged). Closing it ends the stage but never closes the sink, which belongs to
 * the caller (a repository's put).
 */
final class StoredBytesSink extends OutputStream implements WritableByteChannel {
    private static final int COPY_CHUNK = 64 * 1024;

    private final OutputStream sink;
    private final MessageDigest sha256 = Sha256.newDigest();
    /** Digests the age header when the stored bytes are encrypted; null otherwise. */
    private AgeHeaderScanner header;
    private long count;
    private boolean open = true;
    private boolean discarding;

    StoredBytesSink(OutputStream sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (discarding) {
            return;
        }
        if (!open) {
            throw new ClosedChannelException();
        }
        if (header != null && header.scanning()) {
            for (int i = off; i < off + len && header.scanning(); i++) {
                header.feed(b[i]);
            }
        }
        sha256.update(b, off, len);
        count += len;
        sink.write(b, off, len);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = src.remaining();
        if (src.hasArray()) {
            write(src.array(), src.arrayOffset() + src.position(), n);
            src.position(src.limit());
        } else {
            byte[] copy = new byte[Math.min(n, COPY_CHUNK)];
            while (src.hasRemaining()) {
                int chunk = Math.min(copy.length, src.remaining());
                src.get(copy, 0, chunk);
                write(copy, 0, chunk);
            }
        }
        return n;
    }

    @Override
    public void flush() throws IOException {
        if (!discarding) {
            sink.flush();
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Ends this stage; the sink stays open. */
    @Override
    public void close() {
        open = false;
    }

    /** From now on drop whatever the stages still write: used to release them after a failure without output. */
    void discard() {
        discarding = true;
    }

    boolean discarding() {
        return discarding;
    }

    long count() {
        return count;
    }

    /** Digests the age header at the start of the stored bytes. */
    void scanAgeHeader() {
        header = new AgeHeaderScanner();
    }

    /** @return the hex SHA-256 of the age header, when one was scanned to its end */
    java.util.Optional<String> ageHeaderSha256() {
        return header != null && header.done() ? java.util.Optional.of(header.sha256()) : java.util.Optional.empty();
    }

    /** @return the hex SHA-256 of everything written; call once, at the end */
    String sha256() {
        return Sha256.hex(sha256);
    }
}
