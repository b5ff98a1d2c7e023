package io.pgvault.internal.pipeline;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.StoredObject;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Objects;

/**
 * Stored bytes → SHA-256 → age decryption → decompression → SHA-256 → the consumer. The last {@value #HOLD_BACK}
 * bytes (all of them, for a smaller object) are held back until the stored stream has ended and both sizes and
 * digests match the manifest, so a consumer such as psql never receives the tail of a damaged object as if it were
 * good. Memory is one {@value #BUFFER}-byte buffer plus the stages' own fixed buffers.
 */
final class VerifyingDecodingStream extends InputStream {
    static final int BUFFER = 256 * 1024;
    static final int HOLD_BACK = 64 * 1024;

    private final InputStream stored;
    private final StoredObject object;
    private final RecipientStanzaReader identity;
    private final String keyDescription;
    private final byte[] buffer = new byte[BUFFER];
    private final MessageDigest logicalSha256 = Sha256.newDigest();
    private long logicalBytes;
    /** Decoded bytes not yet handed out are {@code buffer[start, end)}. */
    private int start;
    private int end;
    private boolean verified;
    private boolean closed;
    private Throwable failure;
    private StoredBytesSource source;
    private InputStream decrypted;
    private InputStream logical;

    /**
     * @param identity       opens the object's age header, or {@code null} when it is not encrypted
     * @param keyDescription which key that is, for messages (never the secret)
     */
    VerifyingDecodingStream(InputStream stored, StoredObject object, RecipientStanzaReader identity,
            String keyDescription) {
        this.stored = Objects.requireNonNull(stored, "stored");
        this.object = Objects.requireNonNull(object, "object");
        this.identity = identity;
        this.keyDescription = keyDescription;
    }

    @Override
    public int read() throws IOException {
        if (!awaitReleasable()) {
            return -1;
        }
        return buffer[start++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!awaitReleasable()) {
            return -1;
        }
        int n = Math.min(len, releasable());
        System.arraycopy(buffer, start, b, off, n);
        start += n;
        return n;
    }

    @Override
    public int available() throws IOException {
        ensureUsable();
        return Math.max(0, releasable());
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (logical != null) {
            logical.close(); // each stage closes the one before it, down to the stored stream
        } else if (decrypted != null) {
            decrypted.close();
        } else {
            stored.close();
        }
    }

    /** @return false at the verified end of the object */
    private boolean awaitReleasable() throws IOException {
        ensureUsable(); // after a failure, bytes decoded before it are never handed out
        while (releasable() <= 0) {
            if (verified) {
                return false;
            }
            fill();
        }
        return true;
    }

    private int releasable() {
        return verified ? end - start : end - start - HOLD_BACK;
    }

    private void fill() throws IOException {
        ensureUsable();
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        try {
            if (logical == null) {
                open();
            }
            while (end < buffer.length) {
                int n = logical.read(buffer, end, buffer.length - end);
                if (n < 0) {
                    verifyAtEnd();
                    verified = true;
                    return;
                }
                logicalSha256.update(buffer, end, n);
                logicalBytes += n;
                end += n;
                checkNotLonger();
            }
        } catch (IOException e) {
            failure = decodeFailure(e);
            rethrowFailure();
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    /** A failing stored stream stays an I/O failure; anything else a stage complains about is damaged data. */
    private Exception decodeFailure(IOException e) {
        IOException ioFailure = source != null ? source.failure() : null;
        if (ioFailure != null) {
            return ioFailure;
        }
        String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new IntegrityException("object " + object.key() + " is corrupt or truncated: its "
                + object.compression().algorithm().name().toLowerCase(Locale.ROOT) + " stream cannot be decoded ("
                + reason + ")", e);
    }

    private void open() throws IOException {
        source = new StoredBytesSource(stored);
        String header = object.attribute(AgeHeaderScanner.ATTRIBUTE);
        if (identity != null && header != null && !header.isEmpty()) {
            source.pinHeader(header, object.key());
        }
        decrypted = identity == null ? source
                : new AgeDecryptingInput(source, identity, object.key(), keyDescription);
        logical = CompressionStages.decompressor(object.compression(), decrypted);
    }

    private void checkNotLonger() {
        if (logicalBytes > object.logicalBytes()) {
            throw new IntegrityException("object " + object.key() + " decodes to more than the recorded "
                    + object.logicalBytes() + " bytes");
        }
        if (source.count() > object.storedBytes()) {
            throw new IntegrityException("object " + object.key() + " has more than the recorded "
                    + object.storedBytes() + " stored bytes");
        }
    }

    private void verifyAtEnd() throws IOException {
        source.drain(object.storedBytes());
        String key = object.key();
        if (source.count() != object.storedBytes()) {
            throw new IntegrityException("object " + key + " has " + (source.count() > object.storedBytes()
                    ? "more than " + object.storedBytes() : String.valueOf(source.count()))
                    + " stored bytes, the manifest recorded " + object.storedBytes() + " (truncated or replaced)");
        }
        String storedSha256 = source.sha256();
        if (!storedSha256.equals(object.storedSha256())) {
            throw new IntegrityException("object " + key + " is corrupt: the SHA-256 of its stored bytes is "
                    + storedSha256 + ", the manifest recorded " + object.storedSha256());
        }
        if (logicalBytes != object.logicalBytes()) {
            throw new IntegrityException("object " + key + " decodes to " + logicalBytes
                    + " bytes, the manifest recorded " + object.logicalBytes());
        }
        String sha256 = Sha256.hex(logicalSha256);
        if (!sha256.equals(object.logicalSha256())) {
            throw new IntegrityException("object " + key + " is corrupt: the SHA-256 of its decoded bytes is "
                    + sha256 + ", the manifest recorded " + object.logicalSha256());
        }
    }

    private void ensureUsable() throws IOException {
        if (closed) {
            throw new IOException("the decoded stream of " + object.key() + " is closed");
        }
        if (failure != null) {
            rethrowFailure();
        }
    }

    private void rethrowFailure() throws IOException {
        if (failure instanceof IOException io) {
            throw io;
        }
        throw (RuntimeException) failure;
    }
}
