package io.pgvault.storage.gdrive;

import io.pgvault.api.IntegrityException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Digests an object as it is read and, at its end, compares size and digest with what was recorded when it was
 * written: a mismatch throws {@link IntegrityException} instead of handing over the last bytes as if all were well.
 */
final class VerifyingInputStream extends FilterInputStream {
    private final String description;
    private final long expectedSize;
    private final String algorithm;
    private final String expectedDigest;
    private final MessageDigest digest;
    private long size;
    private boolean verified;

    VerifyingInputStream(InputStream in, String description, long expectedSize, String algorithm,
            String expectedDigest) {
        super(in);
        this.description = description;
        this.expectedSize = expectedSize;
        this.algorithm = algorithm;
        this.expectedDigest = expectedDigest;
        try {
            this.digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides " + algorithm, e);
        }
    }

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

    @Override
    public long skip(long n) throws IOException {
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
