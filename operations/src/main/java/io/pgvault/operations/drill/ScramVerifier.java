package io.pgvault.operations.drill;

import io.pgvault.api.Secret;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A PostgreSQL SCRAM-SHA-256 password verifier ({@code SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey}, RFC 5802
 * and 7677), computed here so that a role's password is set without the password itself reaching the server: a
 * restored production configuration may log every statement ({@code log_statement = all}) or hash new passwords with
 * MD5 ({@code password_encryption = md5}), which SCRAM authentication would then refuse.
 */
final class ScramVerifier {
    private static final int ITERATIONS = 4096;

    private ScramVerifier() {
    }

    /**
     * @param password the password; plain ASCII (SASLprep leaves it unchanged)
     * @return its verifier with a fresh random salt
     */
    static String of(Secret password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return of(password, salt, ITERATIONS);
    }

    static String of(Secret password, byte[] salt, int iterations) {
        String p = password.reveal();
        if (!p.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("a drill password is printable ASCII (no SASLprep here)");
        }
        try {
            byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(p.toCharArray(), salt, iterations, 256)).getEncoded();
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(hmac(salted, "Client Key"));
            byte[] serverKey = hmac(salted, "Server Key");
            Base64.Encoder b64 = Base64.getEncoder();
            return "SCRAM-SHA-256$" + iterations + ":" + b64.encodeToString(salt) + "$"
                    + b64.encodeToString(storedKey) + ":" + b64.encodeToString(serverKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SCRAM-SHA-256 is not available in this JVM", e);
        }
    }

    private static byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
    }
}
