package io.pgvault.api;

import com.exceptionfactory.jagged.x25519.X25519KeyFactory;
import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;

import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * age X25519 keys, as the {@code age-keygen} CLI makes them: an identity {@code AGE-SECRET-KEY-1...} decrypts, its
 * recipient {@code age1...} encrypts. Keep the identity somewhere safer than the backups it opens.
 * <pre>{@code
 * Secret identity = AgeKeys.generateIdentity();       // store it in a secret manager
 * String recipient = AgeKeys.recipientOf(identity);   // safe to print or share
 * PipelineOptions options = PipelineOptions.defaults().withEncryption(Encryption.x25519(identity));
 * }</pre>
 *
 * @since 0.1.0
 */
public final class AgeKeys {
    private AgeKeys() {
    }

    /**
     * Generates a new X25519 identity from the platform's strong random source.
     *
     * @return a new identity, {@code AGE-SECRET-KEY-1...}, as the {@code age -i} file line
     * @since 0.1.0
     */
    public static Secret generateIdentity() {
        try {
            return Secret.of(new X25519KeyPairGenerator().generateKeyPair().getPrivate().toString());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is unavailable on this JVM: " + e.getMessage(), e);
        }
    }

    /**
     * Derives the public recipient of an identity.
     *
     * @param identity an age X25519 identity, {@code AGE-SECRET-KEY-1...}
     * @return its recipient, {@code age1...}, as {@code age -r} takes it
     * @throws ConfigurationException when {@code identity} is not a well-formed age X25519 identity
     * @since 0.1.0
     */
    public static String recipientOf(Secret identity) {
        Objects.requireNonNull(identity, "identity");
        byte[] encoded = identity.reveal().strip().getBytes(StandardCharsets.US_ASCII);
        try {
            return new X25519KeyFactory().translateKey(new SecretKeySpec(encoded, "X25519")).toString();
        } catch (GeneralSecurityException | RuntimeException e) {
            // the cause is left out on purpose: decoder messages can quote parts of the key
            throw new ConfigurationException("the age identity is not a well-formed AGE-SECRET-KEY-1... X25519 key");
        }
    }
}
