package io.pgvault.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The size and SHA-256 of a byte sequence, computed while streaming it.
 *
 * @param size   how many bytes were read
 * @param sha256 their lower-case hex SHA-256
 * @since 0.1.0
 */
public record StreamDigest(long size, String sha256) {

    /**
     * Reads {@code in} to its end in {@value GeneratedContent#BUFFER_SIZE}-byte chunks; does not close it.
     *
     * @param in the bytes to digest
     * @return their size and SHA-256
     * @throws IOException when reading fails
     * @since 0.1.0
     */
    public static StreamDigest of(InputStream in) throws IOException {
        MessageDigest digest = newSha256();
        byte[] buffer = new byte[GeneratedContent.BUFFER_SIZE];
        long size = 0;
        for (int n; (n = in.read(buffer)) != -1; ) {
            digest.update(buffer, 0, n);
            size += n;
        }
        return new StreamDigest(size, hex(digest.digest()));
    }

    /**
     * @param bytes the bytes to digest
     * @return their size and SHA-256
     * @since 0.1.0
     */
    public static StreamDigest of(byte[] bytes) {
        return new StreamDigest(bytes.length, hex(newSha256().digest(bytes)));
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
