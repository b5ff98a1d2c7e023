package io.pgvault.internal.pipeline;

import org.bouncycastle.crypto.generators.SCrypt;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * scrypt (RFC 7914, r = 8, p = 1, 32-byte keys) for every passphrase derivation of this process: age stanzas and
 * the manifest seal. One derivation runs at a time, so the heap a passphrase needs is one derivation's memory
 * (128 × 8 × 2^logN bytes: 256 MiB at 18) however many operations run at once; the others wait their turn.
 */
public final class Scrypt {
    private static final int BLOCK_SIZE = 8;
    private static final int PARALLELISM = 1;
    private static final int KEY_LENGTH = 32;
    private static final Semaphore ONE_AT_A_TIME = new Semaphore(1, true);
    private static final AtomicInteger RUNNING = new AtomicInteger();
    private static final AtomicInteger MOST_AT_ONCE = new AtomicInteger();

    private Scrypt() {
    }

    /**
     * @param password the passphrase's bytes (not wiped here)
     * @param salt     the salt, with its domain label
     * @param logN     log2 of the cost N
     * @return the 32-byte key; the caller wipes it
     */
    public static byte[] derive(byte[] password, byte[] salt, int logN) {
        ONE_AT_A_TIME.acquireUninterruptibly();
        try {
            MOST_AT_ONCE.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
            try {
                return SCrypt.generate(password, salt, 1 << logN, BLOCK_SIZE, PARALLELISM, KEY_LENGTH);
            } finally {
                RUNNING.decrementAndGet();
            }
        } finally {
            ONE_AT_A_TIME.release();
        }
    }

    /** @return the most derivations this process has run at the same moment (tests: always at most 1) */
    static int mostAtOnce() {
        return MOST_AT_ONCE.get();
    }
}
