package io.pgvault.testkit.gdrive;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one file or folder a {@link DriveV3Fake} holds, for tests to inspect what a client left behind.
 *
 * @param id            file id
 * @param name          name (Drive allows duplicates in one folder)
 * @param mimeType      MIME type; {@value DriveV3Fake#FOLDER_MIME_TYPE} for folders
 * @param parents       parent folder ids
 * @param trashed       whether it, or a folder above it, is in the trash
 * @param driveId       the shared drive holding it, empty for My Drive
 * @param size          content size in bytes (0 for folders)
 * @param md5Checksum   MD5 (lower-case hex) the server computed over the content it received; empty for folders
 * @param appProperties private application properties, as credentials registered without a Cloud project see them
 * @param createdTime   when it was created
 * @param modifiedTime  when it was last modified
 * @since 0.1.0
 */
public record DriveFile(String id, String name, String mimeType, List<String> parents, boolean trashed,
        Optional<String> driveId, long size, Optional<String> md5Checksum, Map<String, String> appProperties,
        Instant createdTime, Instant modifiedTime) {
    /** Copies the collections. */
    public DriveFile {
        Objects.requireNonNull(id, "id");
        parents = List.copyOf(parents);
        appProperties = Map.copyOf(appProperties);
        driveId = driveId == null ? Optional.empty() : driveId;
        md5Checksum = md5Checksum == null ? Optional.empty() : md5Checksum;
    }

    /**
     * @return whether this is a folder
     * @since 0.1.0
     */
    public boolean isFolder() {
        return DriveV3Fake.FOLDER_MIME_TYPE.equals(mimeType);
    }
}
