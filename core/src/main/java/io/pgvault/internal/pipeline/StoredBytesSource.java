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

    /** The age header's SHA-256 the manifest recorded, checked before the first byte is handed out; or null. */
    private String pinnedHeader;
    private String objectKey;
    private io.pgvault.api.IntegrityException pinFailure;
    private byte[] held;
    private int heldPos;

    StoredBytesSource(InputStream stored) {
        this.stored = Objects.requireNonNull(stored, "stored");
    }

    /**
     * Makes the first read check the object's age header against the digest its (authenticated) manifest recorded:
     * the header fixes the file key, so every chunk decrypted after it is the writer's (ADR 0013).
     *
     * @param sha256 the recorded digest (hex)
     * @param key    the object's key, for messages
     */
    void pinHeader(String sha256, String key) {
        this.pinnedHeader = Objects.requireNonNull(sha256, "sha256");
        this.objectKey = key;
    }

    /** Reads the whole header (and whatever came with it), checks it, and keeps it to hand out. */
    private void checkHeader() throws IOException {
        if (pinFailure != null) {
            throw pinFailure; // sticky: nothing after a refused header is ever handed out
        }
        String expected = pinnedHeader;
        AgeHeaderScanner scanner = new AgeHeaderScanner();
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream(1024);
        byte[] chunk = new byte[8192];
        while (scanner.scanning()) {
            int n;
            try {
                n = stored.read(chunk, 0, chunk.length);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
            if (n < 0) {
                break;
            }
            buf.write(chunk, 0, n);
            for (int i = 0; i < n && scanner.scanning(); i++) {
                scanner.feed(chunk[i]);
            }
        }
        if (!scanner.done() || !scanner.sha256().equalsIgnoreCase(expected)) {
            pinFailure = new io.pgvault.api.IntegrityException("object " + objectKey + " carries another age header "
                    + "than the one its manifest recorded: it was replaced or re-encrypted by someone else; nothing "
                    + "of it was decrypted");
            throw pinFailure;
        }
        pinnedHeader = null;
        held = buf.toByteArray();
        heldPos = 0;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (pinnedHeader != null) {
            checkHeader();
        }
        int n;
        if (held != null && heldPos < held.length) {
            n = Math.min(len, held.length - heldPos);
            System.arraycopy(held, heldPos, b, off, n);
            heldPos += n;
        } else {
            held = null;
            try {
                n = stored.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
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
