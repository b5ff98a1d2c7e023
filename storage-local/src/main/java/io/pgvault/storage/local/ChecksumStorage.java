package io.pgvault.storage.local;

/**
 * Where a {@link LocalRepository} keeps the SHA-256 of each object, which {@code stat} and {@code list} report.
 *
 * @since 0.1.0
 */
public enum ChecksumStorage {
    /**
     * An extended attribute when the file system takes one, else a sidecar file. The default.
     *
     * @since 0.1.0
     */
    AUTO,
    /**
     * Only the extended attribute {@code user.pgvault.sha256} of the object's file: written to the temporary file
     * before the rename, so it becomes visible together with the bytes. A put fails where the file system refuses it.
     * Copies made without preserving extended attributes ({@code cp}, {@code rsync} without {@code -X}) lose it.
     *
     * @since 0.1.0
     */
    EXTENDED_ATTRIBUTE,
    /**
     * Only a hidden sidecar file {@code .pgvault-sha256.NAME} next to the object, made durable before the object is
     * renamed into place; works on every file system. It records the object's size, modification time and file
     * identity (device and inode) and is trusted only while all still match, so a sidecar left over from an
     * interrupted or concurrent put is never reported as another object's digest. A copy of the repository gets new
     * inodes, so its objects then report no digest rather than a wrong one.
     *
     * @since 0.1.0
     */
    SIDECAR_FILE
}
