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
 * @param key    where the bytes are on the mirror, relative to its prefix: {@code repo/<path>} (the repository's own
 *               layout), or {@code blobs/<stanza>/<sha256>} when another file with the same path and other bytes already
 *               holds that place (WAL, history and info files of another cluster, repository or cipher passphrase),
 *               or {@code snapshots/<stanza>/<sha256>} for the info files a set was mirrored with
 * @since 0.2.0
 */
public record MirroredFile(String path, long size, String sha256, String key) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern KEY = Pattern.compile(
            "repo/[^/].*|(blobs|snapshots)/[A-Za-z0-9_.-]+/[0-9a-f]{64}");

    /**
     * A file kept in the repository's own layout ({@code repo/<path>}).
     *
     * @param path   the path relative to the repository's root
     * @param size   bytes
     * @param sha256 SHA-256 of the bytes, lower-case hex
     */
    public MirroredFile(String path, long size, String sha256) {
        this(path, size, sha256, "repo/" + path);
    }

    /** Validates the components. */
    public MirroredFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(key, "key");
        if (!KEY.matcher(key).matches() || key.contains("/../") || key.endsWith("/..") || key.contains("//")) {
            throw new IllegalArgumentException("mirror key '" + key + "' of " + path + " is not repo/<path>, "
                    + "blobs/<stanza>/<sha256> or snapshots/<stanza>/<sha256>");
        }
        if (path.startsWith("/") || path.contains("/../") || path.startsWith("../") || path.equals("..")) {
            throw new IllegalArgumentException("path '" + path + "' leaves the repository");
        }
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
