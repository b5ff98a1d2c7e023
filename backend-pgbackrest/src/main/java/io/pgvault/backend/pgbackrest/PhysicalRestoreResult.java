package io.pgvault.backend.pgbackrest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a physical restore.
 *
 * @param request       what was asked
 * @param dataDirectory where the data directory was restored
 * @param restoreTime   how long {@code pgbackrest restore} took
 * @param copy          the started copy, when {@link PhysicalRestoreRequest#startOnPort()} asked for one; the caller
 *                      must {@link RunningCopy#close()} it
 * @since 0.1.0
 */
public record PhysicalRestoreResult(PhysicalRestoreRequest request, Path dataDirectory, Duration restoreTime,
        Optional<RunningCopy> copy) {
    /** Validates the components. */
    public PhysicalRestoreResult {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(restoreTime, "restoreTime");
        copy = copy == null ? Optional.empty() : copy;
    }
}
