package io.pgvault.testkit.gdrive;

/**
 * The requests {@link DriveV3Fake} serves, as fault injection addresses them.
 *
 * @since 0.1.0
 */
public enum DriveEndpoint {
    /** {@code POST /token}: OAuth 2.0 token exchange (refresh token or service-account JWT). */
    TOKEN,
    /** {@code GET /drive/v3/files}: files.list. */
    LIST,
    /** {@code GET /drive/v3/files/ID}: files.get of metadata. */
    GET,
    /** {@code GET /drive/v3/files/ID?alt=media}: files.get of content. */
    DOWNLOAD,
    /** {@code POST /drive/v3/files}: files.create of metadata only (e.g. a folder). */
    CREATE,
    /** {@code POST /upload/drive/v3/files?uploadType=multipart|media}: a one-request upload. */
    UPLOAD,
    /** {@code POST /upload/drive/v3/files?uploadType=resumable}: starts a resumable upload session. */
    UPLOAD_START,
    /** {@code PUT} to a resumable session: a chunk or a status query. */
    UPLOAD_CHUNK,
    /** {@code PATCH /drive/v3/files/ID}: files.update (rename, trash, appProperties, parents). */
    UPDATE,
    /** {@code DELETE /drive/v3/files/ID}: files.delete. */
    DELETE
}
