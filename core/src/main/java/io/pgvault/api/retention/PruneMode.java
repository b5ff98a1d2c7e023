package io.pgvault.api.retention;

/**
 * Whether a prune deletes anything.
 *
 * @since 0.1.0
 */
public enum PruneMode {
    /** Report what would be removed; remove nothing. The default. */
    DRY_RUN,
    /** Remove the sets the plan deletes, then debris. */
    EXECUTE
}
