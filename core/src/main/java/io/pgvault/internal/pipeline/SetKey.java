package io.pgvault.internal.pipeline;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import io.pgvault.api.AgeKeys;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Secret;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Optional;

/**
 * A set's own age X25519 identity (ADR 0003, "one derivation per set"): the set's objects are encrypted to its
 * recipient, and the identity itself is stored once, in the set's key file, encrypted with the passphrase. The key
 * file's plaintext is exactly what {@code age-keygen} writes, so {@code age -d set-key.age > id.txt} followed by
 * {@code age -d -i id.txt object} recovers an object without pgvault.
 */
final class SetKey {
    /** Largest key file plaintext accepted: an age-keygen file is about 190 bytes. */
    static final int MAX_PLAINTEXT = 4096;

    private final Secret identity;
    private final String recipient;

    private SetKey(Secret identity, String recipient) {
        this.identity = identity;
        this.recipient = recipient;
    }

    /** @return a fresh identity from the platform's strong random source */
    static SetKey generate() {
        Secret identity = AgeKeys.generateIdentity();
        return new SetKey(identity, AgeKeys.recipientOf(identity));
    }

    /**
     * Parses a key file's plaintext: {@code #} comment lines and blank lines, and exactly one
     * {@code AGE-SECRET-KEY-1...} line that is a well-formed X25519 identity.
     *
     * @param plaintext the decrypted key file
     * @return the key, or empty when the text is not such a file (the caller says where it came from)
     */
    static Optional<SetKey> parse(byte[] plaintext) {
        if (plaintext.length > MAX_PLAINTEXT) {
            return Optional.empty();
        }
        String found = null;
        for (String line : new String(plaintext, StandardCharsets.US_ASCII).split("\n", -1)) {
            String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            if (found != null || !l.startsWith("AGE-SECRET-KEY-1")) {
                return Optional.empty();
            }
            found = l;
        }
        if (found == null) {
            return Optional.empty();
        }
        Secret identity = Secret.of(found);
        try {
            return Optional.of(new SetKey(identity, AgeKeys.recipientOf(identity)));
        } catch (ConfigurationException e) {
            return Optional.empty();
        }
    }

    /**
     * @param created when the key was made (a comment, as age-keygen writes it)
     * @return the key file's plaintext; the caller wipes it after use
     */
    byte[] fileText(Instant created) {
        if (identity == null) {
            throw new IllegalStateException("this set key was kept for writing only: it has no identity");
        }
        return ("# created: " + created + "\n# public key: " + recipient + "\n" + identity.reveal() + "\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** @return this key without its identity: it encrypts to the key and can open nothing */
    SetKey forWriting() {
        return new SetKey(null, recipient);
    }

    /** @return the public recipient, age1... */
    String recipient() {
        return recipient;
    }

    /** @return encrypts to this key */
    RecipientStanzaWriter writer() {
        try {
            return X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(recipient);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is unavailable on this JVM: " + e.getMessage(), e);
        }
    }

    /** @return opens objects encrypted to this key */
    RecipientStanzaReader reader() {
        if (identity == null) {
            throw new IllegalStateException("this set key was kept for writing only: it has no identity");
        }
        try {
            return X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(identity.reveal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is unavailable on this JVM: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "SetKey(***)";
    }
}
