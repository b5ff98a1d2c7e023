package io.pgvault.storage.gdrive;

/**
 * What {@link GoogleDriveRepository#delete} (and replacing an object) does with the Drive file.
 *
 * @since 0.1.0
 */
public enum DeleteMode {
    /** files.delete: the file is gone at once, bypassing the trash. */
    PERMANENT,
    /** files.update {@code trashed=true}: the file moves to the trash, where Drive empties it after 30 days. */
    TRASH
}
