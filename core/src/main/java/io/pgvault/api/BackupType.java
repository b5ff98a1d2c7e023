package io.pgvault.api;

/**
 * What kind of backup a set is.
 *
 * @since 0.1.0
 */
public enum BackupType {
    /** A complete physical backup. */
    FULL,
    /** A physical backup of what changed since the last full. */
    DIFF,
    /** A physical backup of what changed since the last backup of any type. */
    INCR,
    /** A logical dump (pg_dump / pg_dumpall): self-contained. */
    LOGICAL
}
