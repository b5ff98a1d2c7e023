package io.pgvault.internal.pipeline;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 instances and their lower-case hex form. */
final class Sha256 {
    private static final HexFormat HEX = HexFormat.of();

    private Sha256() {
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    /** Completes {@code digest} (which resets it) and formats the hash. */
    static String hex(MessageDigest digest) {
        return HEX.formatHex(digest.digest());
    }
}
