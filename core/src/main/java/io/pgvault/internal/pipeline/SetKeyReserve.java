package io.pgvault.internal.pipeline;

import io.pgvault.api.Encryption;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The next set's key, made ahead (ADR 0003, "keys made ahead"): after a set is written, a fresh set key is generated
 * and its key file wrapped with the passphrase on a daemon thread, between operations, so that the next set takes it
 * ready and its backup pays no derivation at all. What is kept is only what a writer needs: the public recipient and
 * the key file's stored bytes (ciphertext). The identity is dropped as soon as it is wrapped; no secret outlives the
 * wrapping. Each key is handed out once: a set that fails does not give its key back. Thread-safe.
 */
final class SetKeyReserve {
    /** A key for one set: what objects are encrypted to, and its key file, wrapped or being wrapped. */
    record Prepared(SetKey key, CompletableFuture<Wrapped> wrapped) {
    }

    /** A key file encrypted with the passphrase: its stored bytes and their digests. */
    record Wrapped(byte[] stored, Encoded encoded) {
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SetKeyReserve.class);

    private final Encryption.Passphrase passphrase;
    private Prepared next;
    /** Whether a key was handed out since the last refill: only a key taken is replaced. */
    private boolean owed;

    SetKeyReserve(Encryption.Passphrase passphrase) {
        this.passphrase = Objects.requireNonNull(passphrase, "passphrase");
    }

    /**
     * @param created when the key is made, if one must be made now (recorded in the key file's comment)
     * @return the key made ahead, ready or still being wrapped, or a new one whose wrapping starts now; never the
     *         same key twice
     */
    synchronized Prepared take(Instant created) {
        Prepared p = next;
        next = null;
        owed = true;
        if (p != null && !p.wrapped().isCompletedExceptionally()) {
            return p;
        }
        return prepare(created, false);
    }

    /**
     * Starts making the next set's key in the background when one was taken since the last refill and none is ready
     * or being made: a process that never writes a set never derives for one.
     *
     * @param created when, recorded in the key file's comment
     */
    synchronized void refill(Instant created) {
        if (owed && (next == null || next.wrapped().isCompletedExceptionally())) {
            next = prepare(created, true);
        }
        owed = false;
    }

    /** @return the key ready or being made, not taken (tests) */
    synchronized Prepared peek() {
        return next;
    }

    /** @return whether a key is ready or being made (tests) */
    synchronized boolean holdsOne() {
        return next != null;
    }

    /** @return the key being made or ready, waited for (tests and benchmarks: the reserve is settled) */
    void awaitSettled() {
        Prepared p;
        synchronized (this) {
            p = next;
        }
        if (p != null) {
            p.wrapped().exceptionally(e -> null).join();
        }
    }

    private Prepared prepare(Instant created, boolean ahead) {
        SetKey key = SetKey.generate();
        CompletableFuture<Wrapped> wrapped = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            ScryptWrapKey.WRAPPING_AHEAD.set(ahead);
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream(512);
                Encoded e = SetEncoder.writeKeyFile(key, passphrase, out, created);
                wrapped.complete(new Wrapped(out.toByteArray(), e));
            } catch (IOException | RuntimeException | Error e) {
                if (ahead) { // nobody waits for it yet: say so now (the set that takes it gets the error too)
                    LOG.warn("making the next set's key ahead failed (scrypt, work factor {}): {}",
                            passphrase.workFactor(), e.toString());
                }
                wrapped.completeExceptionally(e);
            }
        }, ahead ? "pgvault-set-key-ahead" : "pgvault-set-key-wrap");
        t.setDaemon(true);
        t.start();
        return new Prepared(key.forWriting(), wrapped);
    }

    @Override
    public String toString() {
        return "SetKeyReserve(" + (holdsOne() ? "one key" : "empty") + ")";
    }
}
