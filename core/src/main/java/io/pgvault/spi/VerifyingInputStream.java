package io.pgvault.spi;

import io.pgvault.api.IntegrityException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Digests an object as it is read and, at its end, compares size and digest with what was recorded when it was
 * written: a mismatch throws {@link IntegrityException} instead of handing over the last bytes as if all were well.
 * Repositories wrap the stream {@link Repository#open(String)} returns in one when they know the object's size and
 * digest. Skipped bytes are read and digested too; mark/reset is not supported.
 *
 * @since 0.2.0
 */
public final class VerifyingInputStream extends FilterInputStream {
    private final String description;
    private final long expectedSize;
    private final String algorithm;
    private final String expectedDigest;
    private final MessageDigest digest;
    private long size;
    private boolean verified;

    /**
     * @param in             the object's bytes as the store sends them; closed when this stream is closed
     * @param description    names the object in the exception message (e.g. {@code 'key' in repository})
     * @param expectedSize   the size recorded when the object was written
     * @param algorithm      the {@link MessageDigest} algorithm of {@code expectedDigest} ({@code SHA-256},
     *                       {@code MD5})
     * @param expectedDigest the digest recorded when the object was written, in hex (compared ignoring case)
     * @throws IllegalStateException when this Java platform lacks {@code algorithm} (every platform has SHA-256
     *                               and MD5)
     * @since 0.2.0
     */
    public VerifyingInputStream(InputStream in, String description, long expectedSize, String algorithm,
            String expectedDigest) {
        super(Objects.requireNonNull(in, "in"));
        this.description = Objects.requireNonNull(description, "description");
        this.expectedSize = expectedSize;
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.expectedDigest = Objects.requireNonNull(expectedDigest, "expectedDigest");
        try {
            this.digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides " + algorithm, e);
        }
    }

    /**
     * @return the next byte, or -1 at the end after the object was verified
     * @throws IOException          when reading fails
     * @throws IntegrityException   at the end, when size or digest differ from what was recorded
     */
    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            verify();
        } else {
            digest.update((byte) b);
            size++;
        }
        return b;
    }

    /**
     * @param bytes  where to put the bytes
     * @param offset where in {@code bytes} to start
     * @param length how many bytes to read at most
     * @return how many bytes were read, or -1 at the end after the object was verified
     * @throws IOException        when reading fails
     * @throws IntegrityException at the end, when size or digest differ from what was recorded
     */
    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        int n = in.read(bytes, offset, length);
        if (n < 0) {
            verify();
        } else {
            digest.update(bytes, offset, n);
            size += n;
        }
        return n;
    }

    /**
     * Reads and digests the skipped bytes, so that they count towards the verification.
     *
     * @param n how many bytes to skip
     * @return how many were skipped (fewer at the end)
     * @throws IOException        when reading fails
     * @throws IntegrityException when the end is reached and size or digest differ from what was recorded
     */
    @Override
    public long skip(long n) throws IOException {
        // skipped bytes must be digested too
        byte[] scratch = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    /**
     * @return false: the digest cannot go back
     */
    @Override
    public boolean markSupported() {
        return false;
    }

    private void verify() {
        if (verified) {
            return;
        }
        verified = true;
        String actual = HexFormat.of().formatHex(digest.digest());
        if (size != expectedSize || !actual.equalsIgnoreCase(expectedDigest)) {
            throw new IntegrityException(description + " is corrupt: read " + size + " bytes with " + algorithm + " "
                    + actual + ", but " + expectedSize + " bytes with " + algorithm + " " + expectedDigest
                    + " were stored");
        }
    }
}
