package io.pgvault.internal.pipeline;

import io.pgvault.api.Secret;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * The age v1 scrypt recipient (https://age-encryption.org/v1, "The scrypt recipient type"): the wrap key is
 * scrypt(passphrase, "age-encryption.org/v1/scrypt" || salt, N = 2^logN, r = 8, p = 1) and seals the 16-byte file
 * key with ChaCha20-Poly1305 under an all-zero nonce (safe: every salt, hence every wrap key, is used once).
 */
final class ScryptWrapKey {
    static final String STANZA_TYPE = "scrypt";
    static final int SALT_LENGTH = 16;
    static final int FILE_KEY_LENGTH = 16;
    static final int BODY_LENGTH = FILE_KEY_LENGTH + 16;
    /** The highest work factor accepted when reading: 2^22 needs 4 GiB, as the age CLI also caps it. */
    static final int MAX_WORK_FACTOR = 22;

    private static final byte[] SALT_LABEL = "age-encryption.org/v1/scrypt".getBytes(StandardCharsets.US_ASCII);

    private ScryptWrapKey() {
    }

    /**
     * scrypt derivations this process has run for an operation (age stanzas only): what "one derivation per set" is
     * measured by. Set keys wrapped ahead of the set that will use them ({@link SetKeyReserve}) count in
     * {@link #AHEAD} instead.
     */
    static final java.util.concurrent.atomic.AtomicLong DERIVATIONS = new java.util.concurrent.atomic.AtomicLong();
    /** scrypt derivations run ahead, between operations, to wrap the next set's key. */
    static final java.util.concurrent.atomic.AtomicLong AHEAD = new java.util.concurrent.atomic.AtomicLong();
    /** Whether this thread wraps a key ahead ({@link SetKeyReserve}'s threads). */
    static final ThreadLocal<Boolean> WRAPPING_AHEAD = ThreadLocal.withInitial(() -> false);

    /** @return a ChaCha20-Poly1305 cipher keyed with the wrap key derived from {@code passphrase} and {@code salt} */
    static Cipher cipher(int mode, Secret passphrase, byte[] salt, int workFactor) throws GeneralSecurityException {
        (WRAPPING_AHEAD.get() ? AHEAD : DERIVATIONS).incrementAndGet();
        byte[] password = passphrase.reveal().getBytes(StandardCharsets.UTF_8);
        byte[] labelledSalt = new byte[SALT_LABEL.length + salt.length];
        System.arraycopy(SALT_LABEL, 0, labelledSalt, 0, SALT_LABEL.length);
        System.arraycopy(salt, 0, labelledSalt, SALT_LABEL.length, salt.length);
        byte[] key = Scrypt.derive(password, labelledSalt, workFactor);
        try {
            Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
            cipher.init(mode, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(new byte[12]));
            return cipher;
        } finally {
            Arrays.fill(password, (byte) 0);
            Arrays.fill(key, (byte) 0);
        }
    }
}
