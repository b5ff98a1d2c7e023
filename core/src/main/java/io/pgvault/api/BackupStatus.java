package io.pgvault.api;

/**
 * Whether a set is usable. pgvault's own catalog only ever lists {@link #COMPLETE} sets (the manifest is written
 * last); tools with their own catalog (pgBackRest) can report others.
 *
 * @since 0.1.0
 */
public enum BackupStatus {
    /** Every object was written and the set was committed. */
    COMPLETE,
    /** The tool recorded the set but reported an error in it; never counted as a valid backup. */
    FAILED
}
