package io.pgvault.internal.pipeline;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import io.pgvault.api.AgeKeys;
import io.pgvault.api.DecryptionException;
import io.pgvault.api.Encryption;
import io.pgvault.api.StoredObject;

import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.Optional;

/** The age recipient new objects are encrypted to, and the identity that opens stored ones, per {@link Encryption}. */
final class AgeKeyring {
    private final Encryption encryption;
    /** age1... of the configured X25519 identity; deriving it up front also proves the identity well formed. */
    private final String recipient;

    AgeKeyring(Encryption encryption) {
        this.encryption = Objects.requireNonNull(encryption, "encryption");
        this.recipient = encryption instanceof Encryption.X25519 x ? AgeKeys.recipientOf(x.identity()) : null;
    }

    /** @return the stanza writer for new objects; empty when they are not encrypted */
    Optional<RecipientStanzaWriter> writer() {
        if (encryption instanceof Encryption.Passphrase p) {
            return Optional.of(new ScryptRecipientStanzaWriter(p.passphrase(), p.workFactor()));
        }
        if (encryption instanceof Encryption.X25519) {
            try {
                return Optional.of(X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(recipient));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("X25519 is unavailable on this JVM: " + e.getMessage(), e);
            }
        }
        return Optional.empty();
    }

    /**
     * @param object a stored object
     * @return the stanza reader that opens it; empty when it is not encrypted
     * @throws DecryptionException when the configured encryption cannot open its scheme
     */
    Optional<RecipientStanzaReader> reader(StoredObject object) {
        return switch (object.encryption()) {
            case "none" -> Optional.empty();
            case "age-scrypt" -> {
                if (encryption instanceof Encryption.Passphrase p) {
                    yield Optional.of(new ScryptRecipientStanzaReader(p.passphrase(), p.maxReadWorkFactor()));
                }
                throw keyNeeded(object, "with an age passphrase (age-scrypt)",
                        "Encryption.passphrase(...) with the passphrase it was written with");
            }
            case "age-x25519" -> {
                if (encryption instanceof Encryption.X25519 x) {
                    yield Optional.of(x25519Reader(x));
                }
                throw keyNeeded(object, "to an age X25519 recipient (age-x25519)",
                        "Encryption.x25519(...) with the AGE-SECRET-KEY-1... identity of that recipient");
            }
            case SetEncoder.SCHEME -> {
                if (encryption instanceof Encryption.Passphrase) {
                    throw new IllegalStateException("object " + object.key() + " is encrypted to its set's key: it is"
                            + " opened through a DecodeSession, which unwraps that key");
                }
                throw keyNeeded(object, "to its set's own key, which is wrapped with an age passphrase ("
                        + SetEncoder.SCHEME + ")", "Encryption.passphrase(...) with the passphrase it was written with");
            }
            default -> throw new DecryptionException("object " + object.key() + " names an unknown encryption scheme '"
                    + object.encryption() + "' (known: none, age-scrypt, age-x25519, " + SetEncoder.SCHEME + ")",
                    null);
        };
    }

    private DecryptionException keyNeeded(StoredObject object, String how, String configure) {
        return new DecryptionException("object " + object.key() + " is encrypted " + how + ": configure " + configure
                + ", not " + encryption, null);
    }

    private static RecipientStanzaReader x25519Reader(Encryption.X25519 x) {
        try {
            return X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(x.identity().reveal().strip());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is unavailable on this JVM", e);
        }
    }

    /** @return which key tried to open an object, for messages; never the secret */
    String describeKey() {
        if (encryption instanceof Encryption.X25519) {
            return "the configured age identity (recipient " + recipient + ")";
        }
        return encryption instanceof Encryption.Passphrase ? "the configured passphrase" : "no key";
    }
}
