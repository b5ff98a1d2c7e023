package io.pgvault.backend.pgbackrest.mirror;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One file of a pgBackRest repository as a mirror holds it: where it lives in the repository, and the size and
 * SHA-256 of its bytes as they were read from the source (and must be read back from the mirror).
 *
 * @param path   the path relative to the repository's root, e.g.
 *               {@code archive/main/15-1/0000000100000000/000000010000000000000003-<sha1>.zst}
 * @param size   bytes
 * @param sha256 SHA-256 of the bytes, lower-case hex
 * @since 0.2.0
 */
public record MirroredFile(String path, long size, String sha256) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    /** Validates the components. */
    public MirroredFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sha256, "sha256");
        if (size < 0) {
            throw new IllegalArgumentException("size < 0");
        }
        if (!HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 of " + path + " is not 64 lower-case hex digits");
        }
    }

    /**
     * @param other another record of a file
     * @return whether both describe the same bytes (same size and digest)
     */
    public boolean sameContent(MirroredFile other) {
        return other != null && size == other.size && sha256.equals(other.sha256);
    }
}
