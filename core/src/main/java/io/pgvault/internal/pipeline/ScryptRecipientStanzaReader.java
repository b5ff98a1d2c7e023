package io.pgvault.internal.pipeline;

import com.exceptionfactory.jagged.FileKey;
import com.exceptionfactory.jagged.RecipientStanza;
import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.UnsupportedRecipientStanzaException;
import com.exceptionfactory.jagged.framework.codec.CanonicalBase64;
import io.pgvault.api.Secret;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Reads the file key from an age scrypt stanza, enforcing the spec: the scrypt stanza is the only stanza, the salt
 * is 16 bytes in canonical unpadded base64, the work factor is a decimal without leading zeros and at most
 * {@link ScryptWrapKey#MAX_WORK_FACTOR} (a hostile header could otherwise demand any amount of memory and time).
 */
final class ScryptRecipientStanzaReader implements RecipientStanzaReader {
    private static final Pattern WORK_FACTOR = Pattern.compile("[1-9][0-9]?");

    private final Secret passphrase;
    private final int maxWorkFactor;

    ScryptRecipientStanzaReader(Secret passphrase, int maxWorkFactor) {
        this.passphrase = Objects.requireNonNull(passphrase, "passphrase");
        this.maxWorkFactor = maxWorkFactor;
    }

    @Override
    public FileKey getFileKey(Iterable<RecipientStanza> recipientStanzas) throws GeneralSecurityException {
        List<RecipientStanza> stanzas = new ArrayList<>();
        recipientStanzas.forEach(stanzas::add);
        RecipientStanza stanza = stanzas.stream()
                .filter(s -> ScryptWrapKey.STANZA_TYPE.equals(s.getType()))
                .findFirst()
                .orElseThrow(() -> new UnsupportedRecipientStanzaException(
                        "the age header has no scrypt stanza: it was not encrypted with a passphrase"));
        if (stanzas.size() != 1) {
            throw new MalformedStanzaException("an age scrypt stanza must be the only stanza of the header");
        }
        List<String> arguments = stanza.getArguments();
        if (arguments.size() != 2) {
            throw new MalformedStanzaException("an age scrypt stanza has two arguments, found " + arguments.size());
        }
        byte[] salt = salt(arguments.get(0));
        int workFactor = workFactor(arguments.get(1));
        byte[] body = stanza.getBody();
        if (body.length != ScryptWrapKey.BODY_LENGTH) {
            throw new MalformedStanzaException("an age scrypt stanza body has " + ScryptWrapKey.BODY_LENGTH
                    + " bytes, found " + body.length);
        }
        Cipher cipher = ScryptWrapKey.cipher(Cipher.DECRYPT_MODE, passphrase, salt, workFactor);
        byte[] fileKey;
        try {
            fileKey = cipher.doFinal(body);
        } catch (AEADBadTagException e) {
            throw new WrongKeyException("the passphrase does not open the age scrypt stanza");
        }
        return new FileKey(fileKey); // keeps the array (destroy() clears it): not ours to wipe
    }

    private static byte[] salt(String argument) throws MalformedStanzaException {
        byte[] salt;
        try {
            salt = CanonicalBase64.getDecoder().decode(argument.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new MalformedStanzaException("the age scrypt salt is not canonical unpadded base64");
        }
        if (salt.length != ScryptWrapKey.SALT_LENGTH) {
            throw new MalformedStanzaException("the age scrypt salt has " + ScryptWrapKey.SALT_LENGTH
                    + " bytes, found " + salt.length);
        }
        return salt;
    }

    private int workFactor(String argument) throws MalformedStanzaException {
        if (!WORK_FACTOR.matcher(argument).matches()) {
            throw new MalformedStanzaException(
                    "the age scrypt work factor is not a decimal 1..99 without leading zeros");
        }
        int workFactor = Integer.parseInt(argument);
        if (workFactor > maxWorkFactor) {
            throw new MalformedStanzaException("the age scrypt work factor 2^" + workFactor
                    + " exceeds the accepted maximum 2^" + maxWorkFactor + " (a tampered header, or a set written"
                    + " with a larger factor: accept it with Encryption.Passphrase.acceptingWorkFactorUpTo)");
        }
        return workFactor;
    }

    @Override
    public String toString() {
        return "ScryptRecipientStanzaReader(maxWorkFactor=" + maxWorkFactor + ")";
    }
}
