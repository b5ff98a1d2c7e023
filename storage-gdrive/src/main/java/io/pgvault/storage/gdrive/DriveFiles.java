package io.pgvault.storage.gdrive;

import com.google.api.client.util.DateTime;
import com.google.api.services.drive.Drive;
import com.google.api.services.drive.model.File;
import com.google.api.services.drive.model.FileList;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Queries and changes of files in the repository's folder, and the rule that maps a key to one file among Drive's
 * possible duplicates (where a key's files are is {@link DriveLayout}'s business).
 *
 * <p>Drive allows several files with one name; the one a key denotes is the greatest by {@link #ORDER} (committed by
 * pgvault, then Drive's {@code modifiedTime}, then the file id): the last committed put wins, files pgvault did not
 * write (no {@value #COMMIT} property) lose to those it did.
 * A put removes the files it supersedes after it commits, and itself if a newer one appeared meanwhile.
 */
final class DriveFiles {
    static final String FOLDER_MIME_TYPE = "application/vnd.google-apps.folder";
    /** App property holding the lower-case hex SHA-256 of the content. */
    static final String SHA256 = "pgvaultSha256";
    /** App property marking a file pgvault committed (its value, the writer's clock, is informational only). */
    static final String COMMIT = "pgvaultCommit";
    /** Name prefix of uploads not yet committed; never a valid key (keys have no segment starting with '.'). */
    static final String UPLOAD_PREFIX = ".pgvault-upload-";
    static final String FIELDS = "id,name,mimeType,parents,size,md5Checksum,createdTime,modifiedTime,appProperties";
    /** Folders: the oldest (createdTime, then id) is the one concurrent creators agree on. */
    static final Comparator<File> FOLDER_ORDER = Comparator.comparing((File f) -> time(f.getCreatedTime()))
            .thenComparing(File::getId);

    /**
     * Which file a key denotes among duplicates: the greatest. A file pgvault committed beats one it did not; among
     * those, the later {@code modifiedTime} wins, a time Drive's servers stamp on the commit's rename (pgvault never
     * sets it), so every reader picks the same winner whatever the writers' clocks say; the file id breaks ties.
     */
    static final Comparator<File> ORDER = Comparator
            .comparing((File f) -> f.getAppProperties() != null && f.getAppProperties().containsKey(COMMIT))
            .thenComparing((File f) -> f.getModifiedTime() == null ? Long.MIN_VALUE : f.getModifiedTime().getValue())
            .thenComparing(File::getId);

    private static final Logger LOG = LoggerFactory.getLogger(DriveFiles.class);

    private final Drive drive;
    private final Retrier retrier;
    private final GoogleDriveRepositoryConfig config;
    /** Drive refused a permanent delete: trash from now on (the role does not change under a running repository). */
    private volatile boolean permanentDeleteRefused;

    DriveFiles(Drive drive, Retrier retrier, GoogleDriveRepositoryConfig config) {
        this.drive = drive;
        this.retrier = retrier;
        this.config = config;
    }

    /** Every file matching {@code q}, all pages. */
    List<File> query(String action, String q) {
        List<File> files = new ArrayList<>();
        String pageToken = null;
        do {
            FileList page = page(action, q, 1000, pageToken);
            if (page.getFiles() != null) {
                files.addAll(page.getFiles());
            }
            pageToken = page.getNextPageToken();
        } while (pageToken != null);
        return files;
    }

    /** The first page (at most {@code size}) of the files matching {@code q}. */
    List<File> firstPage(String action, String q, int size) {
        FileList page = page(action, q, size, null);
        return page.getFiles() == null ? List.of() : page.getFiles();
    }

    /** One files.list request, in the shared drive when there is one. */
    private FileList page(String action, String q, int size, String pageToken) {
        return retrier.call(action, () -> {
            Drive.Files.List list = drive.files().list().setQ(q).setPageSize(size)
                    .setFields("nextPageToken,files(" + FIELDS + ")")
                    .setSupportsAllDrives(true).setIncludeItemsFromAllDrives(true).setPageToken(pageToken);
            config.sharedDriveId().ifPresent(id -> list.setCorpora("drive").setDriveId(id));
            return list.execute();
        });
    }

    /** Every file and folder (not trashed) directly in {@code folderId}. */
    List<File> childrenOf(String action, String folderId) {
        return query(action, "'" + escape(folderId) + "' in parents and trashed = false");
    }

    static Optional<File> winner(List<File> files) {
        return files.stream().max(ORDER);
    }

    /**
     * Deletes or trashes a file; a file already gone is not an error. A permanent delete Drive refuses with 403
     * {@code insufficientFilePermissions} (on a shared drive only a Manager may delete; a Content manager may only
     * trash) moves the file to the trash instead, and from then on this repository trashes at once; the first time is
     * logged as a warning.
     */
    void remove(String action, String fileId, DeleteMode mode) {
        if (mode == DeleteMode.PERMANENT && !permanentDeleteRefused) {
            try {
                call(action, fileId, DeleteMode.PERMANENT);
                return;
            } catch (GoogleDriveRepositoryException e) {
                if (!"insufficientFilePermissions".equals(DriveErrors.reason(e.getCause()))) {
                    throw e;
                }
                try {
                    call(action, fileId, DeleteMode.TRASH);
                } catch (GoogleDriveRepositoryException trash) {
                    if (trash.reason() == Reason.ACCESS_DENIED) {
                        GoogleDriveRepositoryException denied = new GoogleDriveRepositoryException(
                                Reason.ACCESS_DENIED, action + ": Drive refused both deleting and trashing file " + fileId
                                + " (on a shared drive deleting needs the Manager role and trashing at least the "
                                + "Content manager role; in My Drive only the owner may trash): "
                                + DriveErrors.detail(trash.getCause()), trash.getCause());
                        denied.addSuppressed(e);
                        throw denied;
                    }
                    throw trash;
                }
                permanentDeleteRefused = true;
                LOG.warn("{}: Drive refused a permanent delete ({}): on a shared drive only a Manager may delete, "
                        + "and these credentials are likely a Content manager. Deleted and replaced objects are moved "
                        + "to the trash instead, where they still count against the drive's storage and its item "
                        + "limit until the trash is emptied (Drive empties it after 30 days). Make the account a "
                        + "Manager, or set deleteMode(TRASH) to choose this knowingly.", config.id(),
                        DriveErrors.detail(e.getCause()));
                return;
            }
        }
        call(action, fileId, DeleteMode.TRASH);
    }

    private void call(String action, String fileId, DeleteMode mode) {
        retrier.call(action, () -> {
            try {
                if (mode == DeleteMode.TRASH) {
                    drive.files().update(fileId, new File().setTrashed(true)).setSupportsAllDrives(true)
                            .setFields("id").execute();
                } else {
                    drive.files().delete(fileId).setSupportsAllDrives(true).execute();
                }
            } catch (IOException e) {
                if (!DriveErrors.notFound(e)) {
                    throw e;
                }
            }
            return null;
        });
    }

    /**
     * Finds (and, when configured, creates) the repository folder.
     *
     * @return its id
     */
    String resolveFolder(String id) {
        String action = "cannot open " + id;
        File root;
        try {
            root = retrier.call(action, () -> drive.files().get(config.rootFolderId()).setSupportsAllDrives(true)
                    .setFields("id,mimeType,trashed").execute());
        } catch (GoogleDriveRepositoryException e) {
            if (e.getCause() != null && DriveErrors.notFound(e.getCause())) {
                throw new GoogleDriveRepositoryException(Reason.FOLDER_NOT_FOUND, action + ": "
                        + (config.sharedDriveId().isPresent() ? "shared drive '" : "root folder '")
                        + config.rootFolderId() + "' does not exist or is not shared with the credentials", e);
            }
            throw e;
        }
        String folderId = root.getId();
        if (config.folder().isEmpty()) {
            return folderId;
        }
        for (String segment : config.folder().split("/")) {
            folderId = childFolder(action, folderId, segment);
        }
        return folderId;
    }

    private String childFolder(String action, String parentId, String name) {
        String q = "'" + escape(parentId) + "' in parents and name = '" + escape(name) + "' and mimeType = '"
                + FOLDER_MIME_TYPE + "' and trashed = false";
        Optional<File> existing = oldest(query(action, q));
        if (existing.isPresent()) {
            return existing.get().getId();
        }
        if (!config.createFolders()) {
            throw new GoogleDriveRepositoryException(Reason.FOLDER_NOT_FOUND, action + ": folder '" + name
                    + "' of '" + config.folder() + "' does not exist (createFolders is off)", null);
        }
        File created = retrier.call(action, () -> drive.files().create(new File().setName(name)
                        .setMimeType(FOLDER_MIME_TYPE).setParents(List.of(parentId)))
                .setSupportsAllDrives(true).setFields(FIELDS).execute());
        // Another process may have created the same folder meanwhile: all agree on the oldest and drop the others.
        File chosen = oldest(query(action, q)).orElse(created);
        if (!chosen.getId().equals(created.getId())) {
            LOG.info("{}: folder '{}' was created concurrently; using {} and removing {}", config.id(), name,
                    chosen.getId(), created.getId());
            remove(action, created.getId(), DeleteMode.PERMANENT);
        }
        return chosen.getId();
    }

    private static Optional<File> oldest(List<File> folders) {
        return folders.stream().min(FOLDER_ORDER);
    }

    /** Creates a folder named {@code name} in {@code parentId} with the given app properties. */
    File createFolder(String action, String parentId, String name, Map<String, String> appProperties) {
        return retrier.call(action, () -> drive.files().create(new File().setName(name)
                        .setMimeType(FOLDER_MIME_TYPE).setParents(List.of(parentId)).setAppProperties(appProperties))
                .setSupportsAllDrives(true).setFields(FIELDS).execute());
    }

    static Instant time(DateTime time) {
        return time == null ? Instant.EPOCH : Instant.ofEpochMilli(time.getValue());
    }

    static long size(File file) {
        return file.getSize() == null ? 0 : file.getSize();
    }

    static Optional<String> sha256(File file) {
        Map<String, String> properties = file.getAppProperties();
        return Optional.ofNullable(properties == null ? null : properties.get(SHA256));
    }

    /** Escapes a string literal of the Drive query language. */
    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("'", "\\'");
    }
}
