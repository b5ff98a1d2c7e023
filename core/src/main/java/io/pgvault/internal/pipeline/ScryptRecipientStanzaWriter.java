package io.pgvault.internal.pipeline;

import com.exceptionfactory.jagged.FileKey;
import com.exceptionfactory.jagged.RecipientStanza;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.codec.CanonicalBase64;
import io.pgvault.api.Secret;

import javax.crypto.Cipher;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Writes the age scrypt stanza {@code -> scrypt <salt> <logN>} that wraps the file key under a passphrase. */
final class ScryptRecipientStanzaWriter implements RecipientStanzaWriter {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Secret passphrase;
    private final int workFactor;

    ScryptRecipientStanzaWriter(Secret passphrase, int workFactor) {
        this.passphrase = Objects.requireNonNull(passphrase, "passphrase");
        if (workFactor < 1 || workFactor > ScryptWrapKey.MAX_WORK_FACTOR) {
            throw new IllegalArgumentException("scrypt work factor must be 1.." + ScryptWrapKey.MAX_WORK_FACTOR);
        }
        this.workFactor = workFactor;
    }

    @Override
    public Iterable<RecipientStanza> getRecipientStanzas(FileKey fileKey) throws GeneralSecurityException {
        byte[] salt = new byte[ScryptWrapKey.SALT_LENGTH];
        RANDOM.nextBytes(salt);
        byte[] plainKey = fileKey.getEncoded();
        try {
            byte[] body = ScryptWrapKey.cipher(Cipher.ENCRYPT_MODE, passphrase, salt, workFactor).doFinal(plainKey);
            List<String> arguments = List.of(CanonicalBase64.getEncoder().encodeToString(salt),
                    Integer.toString(workFactor));
            return List.of(new AgeStanza(ScryptWrapKey.STANZA_TYPE, arguments, body));
        } finally {
            Arrays.fill(plainKey, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "ScryptRecipientStanzaWriter(workFactor=" + workFactor + ")";
    }
}
