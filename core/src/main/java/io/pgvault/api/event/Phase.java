package io.pgvault.api.event;

/**
 * The kind of long operation a {@link Events.Progress} event reports on.
 *
 * @since 0.2.0
 */
public enum Phase {
    /** taking a backup */
    BACKUP,
    /** restoring a set */
    RESTORE,
    /** verifying a set's checksums or structure */
    VERIFY,
    /** copying a set to a tier */
    COPY
}
