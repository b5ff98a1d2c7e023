package io.pgvault.backend.pgbackrest.mirror;

import java.util.Objects;

/**
 * A file of a pgBackRest repository, as a {@link SourceRepo} lists it.
 *
 * @param path the path relative to the repository's root, {@code /}-separated, e.g.
 *             {@code backup/main/20261121-101010F/backup.manifest}
 * @param size its size in bytes
 * @since 0.2.0
 */
public record SourceFile(String path, long size) {
    /** Validates the components. */
    public SourceFile {
        Objects.requireNonNull(path, "path");
        if (size < 0) {
            throw new IllegalArgumentException("size < 0");
        }
    }

    /** @return the last path segment */
    public String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
