package io.pgvault.internal.pipeline;

import com.exceptionfactory.jagged.RecipientStanzaWriter;
import io.pgvault.api.Compression;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Objects;

/**
 * Logical bytes → SHA-256 → compression → age encryption → SHA-256 → sink. Small writes are gathered into one
 * 128 KiB buffer (compressors and ciphers pay per call); large writes pass straight through. The stages are opened on
 * the first byte, so that {@code Pipeline.encode} does no I/O and an abandoned stream writes nothing.
 */
final class StagedEncodingStream extends EncodingStream {
    static final int INPUT_BUFFER = 128 * 1024;

    private enum State { OPEN, FINISHED, CLOSED, FAILED }

    private final Compression compression;
    private final RecipientStanzaWriter recipient;
    private final StoredBytesSink stored;
    private final MessageDigest logicalSha256 = Sha256.newDigest();
    private final byte[] pending = new byte[INPUT_BUFFER];
    private int pendingLength;
    private long logicalBytes;
    private OutputStream head;
    private State state = State.OPEN;

    /**
     * @param recipient the age recipient, or {@code null} to store unencrypted
     */
    StagedEncodingStream(OutputStream sink, Compression compression, RecipientStanzaWriter recipient) {
        this.stored = new StoredBytesSink(sink);
        if (recipient != null) {
            stored.scanAgeHeader();
        }
        this.compression = Objects.requireNonNull(compression, "compression");
        this.recipient = recipient;
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (pendingLength == pending.length) {
            drainPending();
        }
        pending[pendingLength++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (len > pending.length - pendingLength) {
            drainPending();
        }
        if (len >= pending.length) {
            push(b, off, len);
        } else {
            System.arraycopy(b, off, pending, pendingLength, len);
            pendingLength += len;
        }
    }

    /**
     * Does nothing but check the stream: flushing a compressor mid-stream ends a block early and costs ratio, and
     * nobody can use a partial encrypted object; {@link #finish()} delivers everything.
     */
    @Override
    public void flush() throws IOException {
        ensureOpen();
    }

    @Override
    public Encoded finish() throws IOException {
        ensureOpen();
        try {
            drainPending();
            head().close(); // cascades: ends the compression frame, writes the final age chunk, ends the sink stage
            stored.flush();
        } catch (IOException | RuntimeException e) {
            state = State.CLOSED;
            try {
                release();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        state = State.FINISHED;
        return new Encoded(logicalBytes, Sha256.hex(logicalSha256), stored.count(), stored.sha256(),
                stored.ageHeaderSha256());
    }

    /**
     * After {@link #finish()}: nothing to do. Before it: abandons the object, releasing native and key material
     * without writing anything more to the sink (which stays open either way).
     */
    @Override
    public void close() throws IOException {
        if (state == State.OPEN || state == State.FAILED) {
            state = State.CLOSED;
            release();
        }
    }

    private void release() throws IOException {
        stored.discard();
        if (head != null) {
            OutputStream h = head;
            head = null;
            h.close();
        }
    }

    private void drainPending() throws IOException {
        if (pendingLength > 0) {
            int n = pendingLength;
            pendingLength = 0;
            push(pending, 0, n);
        }
    }

    private void push(byte[] b, int off, int len) throws IOException {
        logicalSha256.update(b, off, len);
        logicalBytes += len;
        try {
            head().write(b, off, len);
        } catch (IOException | RuntimeException e) {
            state = State.FAILED;
            throw e;
        }
    }

    private OutputStream head() throws IOException {
        if (head == null) {
            OutputStream encrypted = recipient == null ? stored : new AgeEncryptingOutput(stored, recipient);
            head = CompressionStages.compressor(compression, encrypted);
        }
        return head;
    }

    private void ensureOpen() throws IOException {
        if (state != State.OPEN) {
            throw new IOException("the encoding stream is " + state.name().toLowerCase(Locale.ROOT));
        }
    }
}
