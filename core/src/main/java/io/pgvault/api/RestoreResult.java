package io.pgvault.api;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of a restore.
 *
 * @param set        the set that was restored
 * @param databases  the databases that were created or replaced
 * @param duration   wall time of the restore (a measured RTO)
 * @param warnings   problems that did not stop the restore (e.g. a role in the recorded globals that could not be
 *                   created); empty when there were none
 * @since 0.1.0
 */
public record RestoreResult(BackupSet set, List<String> databases, Duration duration, List<String> warnings) {
    /** Validates the components; copies collections and replaces null optionals with empty ones. */
    public RestoreResult {
        databases = List.copyOf(databases);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /**
     * A restore without warnings.
     *
     * @param set       the set that was restored
     * @param databases the databases that were created or replaced
     * @param duration  wall time
     */
    public RestoreResult(BackupSet set, List<String> databases, Duration duration) {
        this(set, databases, duration, List.of());
    }
}
