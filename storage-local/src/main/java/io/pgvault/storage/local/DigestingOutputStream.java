package io.pgvault.storage.local;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The stream a producer writes an object into: counts and digests what reaches the file, remembers a failure of the
 * file (so that it is not mistaken for a failure of the producer), and ignores {@code close()}, which belongs to the
 * repository.
 */
final class DigestingOutputStream extends OutputStream {
    private final OutputStream file;
    private final MessageDigest digest;
    private long size;
    private IOException storageFailure;
    private boolean sealed;

    DigestingOutputStream(OutputStream file) {
        this.file = file;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        try {
            file.write(b);
        } catch (IOException e) {
            throw storageFailed(e);
        }
        digest.update((byte) b);
        size++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        ensureOpen();
        try {
            file.write(bytes, offset, length);
        } catch (IOException e) {
            throw storageFailed(e);
        }
        digest.update(bytes, offset, length);
        size += length;
    }

    @Override
    public void flush() throws IOException {
        ensureOpen();
        try {
            file.flush();
        } catch (IOException e) {
            throw storageFailed(e);
        }
    }

    /** Does nothing: the repository flushes, syncs and closes the file once the producer returns. */
    @Override
    public void close() {
    }

    /** Flushes what the producer wrote and refuses further writes; the digest is then final. */
    void seal() throws IOException {
        flush();
        sealed = true;
    }

    /** @return the failure of the underlying file, if writing to it failed */
    IOException storageFailure() {
        return storageFailure;
    }

    long size() {
        return size;
    }

    /** @return the lower-case hex SHA-256 of everything written; call once, after {@link #seal()} */
    String sha256() {
        return HexFormat.of().formatHex(digest.digest());
    }

    private void ensureOpen() throws IOException {
        if (sealed) {
            throw new IOException("the put this stream belongs to has finished");
        }
    }

    private IOException storageFailed(IOException e) {
        if (storageFailure == null) {
            storageFailure = e;
        }
        return e;
    }
}
