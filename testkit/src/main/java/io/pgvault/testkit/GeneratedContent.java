package io.pgvault.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;

/**
 * Deterministic pseudo-random bytes of any length, generated on the fly so that multi-GiB objects never sit in
 * memory. The same {@code size} and {@code seed} always give the same bytes; different seeds give different bytes.
 *
 * @param size how many bytes
 * @param seed selects the byte sequence
 * @since 0.1.0
 */
public record GeneratedContent(long size, long seed) {

    /**
     * Size of the buffers the content is written in.
     *
     * @since 0.1.0
     */
    public static final int BUFFER_SIZE = 64 * 1024;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /**
     * @throws IllegalArgumentException when {@code size} is negative
     * @since 0.1.0
     */
    public GeneratedContent {
        if (size < 0) {
            throw new IllegalArgumentException("size < 0: " + size);
        }
    }

    /**
     * @return the content as an array; only for sizes that fit one
     * @since 0.1.0
     */
    public byte[] bytes() {
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException(size + " bytes do not fit an array; stream them with writeTo");
        }
        byte[] bytes = new byte[(int) size];
        byte[] base = baseBlock();
        byte[] block = new byte[BUFFER_SIZE];
        for (int offset = 0, index = 0; offset < bytes.length; offset += BUFFER_SIZE, index++) {
            fill(block, base, index);
            System.arraycopy(block, 0, bytes, offset, Math.min(BUFFER_SIZE, bytes.length - offset));
        }
        return bytes;
    }

    /**
     * Writes the content in {@value #BUFFER_SIZE}-byte chunks and returns its SHA-256.
     *
     * @param out where to write; not closed
     * @return the lower-case hex SHA-256 of what was written
     * @throws IOException when writing fails
     * @since 0.1.0
     */
    public String writeTo(OutputStream out) throws IOException {
        MessageDigest digest = StreamDigest.newSha256();
        byte[] base = baseBlock();
        byte[] block = new byte[BUFFER_SIZE];
        long index = 0;
        for (long remaining = size; remaining > 0; remaining -= BUFFER_SIZE, index++) {
            fill(block, base, index);
            int n = (int) Math.min(BUFFER_SIZE, remaining);
            out.write(block, 0, n);
            digest.update(block, 0, n);
        }
        return StreamDigest.hex(digest.digest());
    }

    /**
     * @return the lower-case hex SHA-256 of the content, computed without writing it anywhere
     * @since 0.1.0
     */
    public String sha256() {
        try {
            return writeTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new IllegalStateException("a null stream cannot fail", e);
        }
    }

    /**
     * Block {@code index} is a pseudo-random block chosen by the seed, with the block's index mixed into its first
     * eight bytes: generating it costs a copy, yet a lost, repeated or reordered block changes the digest.
     */
    private static void fill(byte[] block, byte[] base, long index) {
        System.arraycopy(base, 0, block, 0, BUFFER_SIZE);
        long first = (long) LONGS.get(base, 0);
        LONGS.set(block, 0, first ^ mix(index + 1));
    }

    private byte[] baseBlock() {
        byte[] base = new byte[BUFFER_SIZE];
        long state = mix(seed);
        for (int offset = 0; offset < BUFFER_SIZE; offset += Long.BYTES) {
            state = mix(state);
            LONGS.set(base, offset, state);
        }
        return base;
    }

    /** splitmix64's finalizer: neighbouring inputs give unrelated outputs. */
    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
