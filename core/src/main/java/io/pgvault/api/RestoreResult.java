package io.pgvault.api;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of a restore.
 *
 * @param set        the set that was restored
 * @param databases  the databases that were created or replaced
 * @param duration   wall time of the restore (a measured RTO)
 * @since 0.1.0
 */
public record RestoreResult(BackupSet set, List<String> databases, Duration duration) {
    public RestoreResult {
        databases = List.copyOf(databases);
    }
}
