package io.pgvault.internal.pipeline;

import java.security.MessageDigest;

/**
 * Finds the end of an age header in stored bytes (the newline that ends the {@code ---} MAC line) and digests the
 * header. An object's header fixes its file key, and every payload chunk is authenticated under that key: a reader
 * that checks the header against the digest an authenticated manifest recorded knows each chunk it decrypts is the
 * writer's, before the end of the object (ADR 0013).
 */
final class AgeHeaderScanner {
    /** Headers longer than this are not pinned (age headers are a few hundred bytes). */
    static final int MAX_HEADER = 64 * 1024;
    /** The manifest attribute holding the header's SHA-256. */
    static final String ATTRIBUTE = "ageHeaderSha256";

    private final MessageDigest sha256 = Sha256.newDigest();
    private int dashes;
    private boolean notMacLine;
    private long count;
    private boolean done;
    private boolean gaveUp;

    /**
     * @param b the next stored byte
     * @return true exactly when {@code b} is the header's last byte
     */
    boolean feed(byte b) {
        if (done || gaveUp) {
            return false;
        }
        sha256.update(b);
        if (++count > MAX_HEADER) {
            gaveUp = true;
            return false;
        }
        if (b == '\n') {
            if (dashes == 3 && !notMacLine) {
                done = true;
                return true;
            }
            dashes = 0;
            notMacLine = false;
        } else if (!notMacLine && dashes < 3) {
            if (b == '-') {
                dashes++;
            } else {
                notMacLine = true;
            }
        }
        return false;
    }

    /** @return whether the header's end has been seen */
    boolean done() {
        return done;
    }

    /** @return whether the scanner is still looking (neither done nor past the limit) */
    boolean scanning() {
        return !done && !gaveUp;
    }

    /** @return the header's length in bytes, once done */
    long length() {
        return count;
    }

    /** @return the hex SHA-256 of the header; only once {@link #done()} */
    String sha256() {
        if (!done) {
            throw new IllegalStateException("the age header has not ended");
        }
        return Sha256.hex(sha256);
    }
}
