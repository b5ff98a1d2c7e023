package io.pgvault.storage.gdrive;

import com.google.api.services.drive.model.File;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.RepositoryException;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectKeys;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;
import io.pgvault.spi.VerifyingInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@link Repository} in a Google Drive folder (in My Drive, under a folder shared with the credentials, or in a
 * shared drive), through the Drive v3 API.
 * <pre>{@code
 * try (GoogleDriveRepository repository = GoogleDriveRepository.of(GoogleDriveRepositoryConfig
 *         .builder(DriveCredentials.oauth(clientId, clientSecret, refreshToken))
 *         .folder("pgvault/prod").build())) {
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Keys.</b> A key {@code a/b/c} is a file named {@code c} in a subfolder of the repository folder named
 * {@code a/b} (one level; Drive names may contain {@code /}); a key without {@code /} is a file in the repository
 * folder. No folder outgrows Drive's 500,000 items as long as no parent path holds that many keys: a pgBackRest
 * mirror's WAL directories (256 segments each) become subfolders. Repositories written before 0.6.0 (every key a file
 * named by the whole key in the repository folder) are read, listed, replaced and deleted as before. Drive allows
 * duplicate names; a key denotes the file committed last (by Drive's {@code modifiedTime} of the commit, then the file
 * id), and every put removes the files it supersedes. Files whose names are not valid keys are ignored.
 *
 * <p><b>Requests.</b> Finding a key's files asks about one folder per request, since Drive may silently leave out
 * some parents' children from the answer to a query naming several: one request per subfolder of the key's parent
 * path (one, unless two writers raced to create it), plus one in the repository folder for files of the pre-0.6.0
 * flat layout, skipped once a listing found none there (the first lookup of a parent path makes that request anyway:
 * it finds the subfolders too). A put: one to start the upload session, one per chunk, one to commit, the lookup for
 * the files it supersedes (plus one to remove each); the first put under a parent path also finds (or creates) its
 * subfolder. {@link #open} and {@link #stat}: the lookup, and {@code open} one download. {@link #list}: the repository
 * folder (1,000 entries per request), then the subfolders that can hold keys with the prefix, 40 subfolders per
 * request, and each of those that got no file asked again alone.
 *
 * <p><b>Atomic, streaming puts.</b> The producer's bytes go up in a resumable upload session, one chunk
 * ({@link GoogleDriveRepositoryConfig#chunkSize()}, default 8 MiB) at a time, under a temporary name
 * ({@code .pgvault-upload-UUID}, which is never a key). When the session finishes, the {@code md5Checksum} and size
 * Drive reports are compared with those of the bytes sent; a mismatch deletes the file and throws
 * {@link IntegrityException}. Only then is the file renamed to the key (with its SHA-256 as the
 * {@code pgvaultSha256} app property): the rename is the commit. A producer failure, a failure for good, or an
 * interrupt cancels the session, so nothing becomes visible and the previous object stays. A process that dies
 * between upload and rename leaves a temporary file no listing shows; {@link #deleteAbandonedUploads(Duration)}
 * removes those.
 *
 * <p><b>Retries.</b> Every request and every chunk is retried with jittered exponential backoff on 403
 * {@code userRateLimitExceeded}/{@code rateLimitExceeded}, 429, 5xx and broken connections; a chunk resumes from the
 * offset Drive reports. Exhausted quotas (storage, daily upload limit), rejected credentials and missing folders are
 * {@link GoogleDriveRepositoryException}s with a {@link GoogleDriveRepositoryException.Reason} and are not retried.
 *
 * <p><b>Integrity on read.</b> {@link #open} checks the bytes against the recorded SHA-256 (or, for files pgvault
 * did not write, Drive's MD5) and throws {@link IntegrityException} at the end of a corrupt object.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class GoogleDriveRepository implements Repository, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GoogleDriveRepository.class);

    private final GoogleDriveRepositoryConfig config;
    private final DriveClients clients;
    private final Retrier retrier;
    private final DriveFiles files;
    private final String id;
    private final String folderId;
    private final DriveLayout layout;
    /** What this repository uploaded in the last 24 hours, against Drive's daily upload limit. */
    private final UploadBudget budget;

    private GoogleDriveRepository(GoogleDriveRepositoryConfig config, Clock clock) {
        this.config = config;
        this.id = config.id();
        this.clients = new DriveClients(config);
        this.retrier = new Retrier(config.maxAttempts(), config.backoffBase(), config.backoffMax());
        this.files = new DriveFiles(clients.drive, retrier, config);
        this.budget = new UploadBudget(config.uploadLimitPerDay(), clock);
        this.folderId = files.resolveFolder(id);
        this.layout = new DriveLayout(files, folderId);
        layout.requireOwnProject("cannot open " + id, id);
    }

    /**
     * Opens a repository: signs in, finds the root folder or shared drive, and finds or creates the folder path.
     *
     * @param config the settings
     * @return the repository
     * @throws GoogleDriveRepositoryException when the credentials are rejected, the root or a folder is missing, the
     *                                        folder was written with another Cloud project's credentials
     *                                        ({@link GoogleDriveRepositoryException.Reason#OTHER_PROJECT}), or Drive
     *                                        cannot be reached
     * @since 0.1.0
     */
    public static GoogleDriveRepository of(GoogleDriveRepositoryConfig config) {
        return of(config, Clock.systemUTC());
    }

    /** For tests: a repository whose upload budget reads {@code clock}. */
    static GoogleDriveRepository of(GoogleDriveRepositoryConfig config, Clock clock) {
        return new GoogleDriveRepository(Objects.requireNonNull(config, "config"), Objects.requireNonNull(clock));
    }

    /**
     * @return the settings of this repository; their secrets stay wrapped
     * @since 0.1.0
     */
    public GoogleDriveRepositoryConfig config() {
        return config;
    }

    /**
     * @return the Drive id of the repository folder
     * @since 0.1.0
     */
    public String folderId() {
        return folderId;
    }

    /**
     * @return {@code gdrive:root/folder/path} or {@code gdrive:shared-drive=ID/folder/path}
     * @since 0.1.0
     */
    @Override
    public String id() {
        return id;
    }

    /** @since 0.1.0 */
    @Override
    public ObjectInfo put(String key, ObjectWriter writer) {
        ObjectKeys.validate(key);
        Objects.requireNonNull(writer, "writer");
        String action = "cannot store '" + key + "' in " + id;
        File metadata = new File().setName(DriveFiles.UPLOAD_PREFIX + UUID.randomUUID())
                .setParents(List.of(layout.folderFor(action, key))).setMimeType("application/octet-stream");
        File uploaded = null;
        try (ResumableUpload upload = new ResumableUpload(clients, retrier, config, budget, metadata, action)) {
            try {
                produce(key, writer, upload);
                uploaded = upload.complete();
            } catch (RuntimeException e) {
                upload.cancel();
                if (e instanceof GoogleDriveRepositoryException drive
                        && drive.reason() == GoogleDriveRepositoryException.Reason.FOLDER_NOT_FOUND) {
                    layout.forget(key); // its subfolder was removed by someone: find or create it next time
                }
                throw e;
            }
            String sha256 = upload.sha256Hex();
            verifyUpload(action, uploaded, upload);
            File committed = commit(action, uploaded.getId(), key, sha256);
            uploaded = null;
            removeSupersededQuietly(action, key, committed);
            return new ObjectInfo(key, upload.size(), DriveFiles.time(committed.getModifiedTime()),
                    Optional.of(sha256));
        } finally {
            if (uploaded != null) {
                discard(action, uploaded.getId());
            }
        }
    }

    private void produce(String key, ObjectWriter writer, ResumableUpload upload) {
        try {
            writer.writeTo(upload);
        } catch (ResumableUpload.StorageFailure e) {
            throw e.failure();
        } catch (IOException e) {
            throw new RepositoryException("the producer of '" + key + "' failed while it was being stored in " + id
                    + "; nothing was stored: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Compares what Drive stored with what was sent; removes the upload and throws on a mismatch. */
    private void verifyUpload(String action, File uploaded, ResumableUpload upload) {
        String md5 = upload.md5Hex();
        long size = DriveFiles.size(uploaded);
        if (size != upload.size() || uploaded.getMd5Checksum() == null
                || !uploaded.getMd5Checksum().equalsIgnoreCase(md5)) {
            throw new IntegrityException(action + ": Drive stored " + size + " bytes with MD5 "
                    + uploaded.getMd5Checksum() + ", but " + upload.size() + " bytes with MD5 " + md5
                    + " were sent; the upload was deleted and nothing was stored");
        }
    }

    /** Renames the upload to the key's name in its folder: from now on readers see it. */
    private File commit(String action, String fileId, String key, String sha256) {
        Map<String, String> properties = new HashMap<>();
        properties.put(DriveFiles.SHA256, sha256);
        properties.put(DriveFiles.COMMIT, commitOrder());
        String name = DriveLayout.leaf(key);
        return retrier.call(action, () -> clients.drive.files().update(fileId, new File().setName(name)
                .setAppProperties(properties)).setSupportsAllDrives(true).setFields(DriveFiles.FIELDS).execute());
    }

    /** Zero-padded epoch microseconds and a random suffix: for humans; ordering uses the server's modifiedTime. */
    private static String commitOrder() {
        Instant now = Instant.now();
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, now);
        return String.format("%017d-%08x", micros, ThreadLocalRandom.current().nextInt());
    }

    /**
     * After the commit the put has succeeded, whatever happens here: files left behind are hidden (readers pick the
     * newest) and the next put or delete of the key removes them. So a failure is a warning, never an exception that
     * would make the caller believe nothing was stored (and store it again, piling up duplicates).
     */
    private void removeSupersededQuietly(String action, String key, File mine) {
        try {
            removeSuperseded(action, key, mine);
        } catch (RuntimeException e) {
            LOG.warn("{}: '{}' is stored, but the files it replaced could not be removed ({}); they are hidden, and "
                    + "the next put or delete of the key removes them", id, key, e.getMessage());
        }
    }

    /** Removes older files of the key, and this one when a newer commit got in first. */
    private void removeSuperseded(String action, String key, File mine) {
        List<File> all = layout.filesOf(action, key, false);
        boolean newerExists = all.stream().anyMatch(f -> DriveFiles.ORDER.compare(f, mine) > 0);
        for (File file : all) {
            if (DriveFiles.ORDER.compare(file, mine) < 0) {
                files.remove(action, file.getId(), config.deleteMode());
            }
        }
        if (newerExists) {
            files.remove(action, mine.getId(), config.deleteMode());
        }
    }

    private void discard(String action, String fileId) {
        try {
            files.remove(action, fileId, DeleteMode.PERMANENT);
        } catch (RuntimeException e) {
            LOG.warn("{}: could not delete the uncommitted upload {} ({}); it is hidden, and "
                    + "deleteAbandonedUploads removes it", id, fileId, e.getMessage());
        }
    }

    /** @since 0.1.0 */
    @Override
    public InputStream open(String key) {
        ObjectKeys.validate(key);
        String action = "cannot open '" + key + "' in " + id;
        File file = find(action, key).orElseThrow(() -> notFound(key));
        InputStream body;
        try {
            body = retrier.call(action, () -> clients.drive.files().get(file.getId()).setSupportsAllDrives(true)
                    .executeMediaAsInputStream());
        } catch (GoogleDriveRepositoryException e) {
            if (e.getCause() != null && DriveErrors.notFound(e.getCause())) {
                throw notFound(key);
            }
            throw e;
        }
        String description = "'" + key + "' in " + id;
        Optional<String> sha256 = DriveFiles.sha256(file);
        if (sha256.isPresent()) {
            return new VerifyingInputStream(body, description, DriveFiles.size(file), "SHA-256", sha256.get());
        }
        if (file.getMd5Checksum() != null) {
            return new VerifyingInputStream(body, description, DriveFiles.size(file), "MD5", file.getMd5Checksum());
        }
        return body;
    }

    /** @since 0.1.0 */
    @Override
    public Optional<ObjectInfo> stat(String key) {
        ObjectKeys.validate(key);
        return find("cannot stat '" + key + "' in " + id, key).map(f -> info(key, f));
    }

    /**
     * Reads the repository folder in pages of 1,000 entries, then only the subfolders whose parent path can start a
     * key with the prefix (40 per request), and filters by prefix here (Drive's query language has no prefix match on
     * names).
     *
     * @since 0.1.0
     */
    @Override
    public List<ObjectInfo> list(String prefix) {
        String validPrefix = ObjectKeys.validatePrefix(prefix);
        Map<String, File> winners = new HashMap<>();
        for (DriveLayout.Entry entry : layout.entries("cannot list '" + validPrefix + "' in " + id, validPrefix)) {
            String key = entry.path();
            if (key.startsWith(validPrefix) && DriveLayout.isValidKey(key)) {
                winners.merge(key, entry.file(), (a, b) -> DriveFiles.ORDER.compare(a, b) >= 0 ? a : b);
            }
        }
        List<ObjectInfo> objects = new ArrayList<>();
        winners.forEach((key, file) -> objects.add(info(key, file)));
        objects.sort(Comparator.comparing(ObjectInfo::key));
        return List.copyOf(objects);
    }

    /**
     * Deletes every file of the key (permanently or to the trash, per {@link GoogleDriveRepositoryConfig#deleteMode()}),
     * the one it denotes last: a delete that fails half-way leaves the key denoting what it did, never an older file.
     *
     * @since 0.1.0
     */
    @Override
    public void delete(String key) {
        ObjectKeys.validate(key);
        String action = "cannot delete '" + key + "' from " + id;
        List<File> all = new ArrayList<>(layout.filesOf(action, key, true));
        all.sort(DriveFiles.ORDER);
        for (File file : all) {
            files.remove(action, file.getId(), config.deleteMode());
        }
    }

    /**
     * Deletes uploads that never committed (their process died between upload and rename) and were started at least
     * {@code age} ago. A put in progress is younger than any sensible {@code age} (an hour, say).
     *
     * @param age how old an upload must be
     * @return how many were deleted
     * @since 0.1.0
     */
    public int deleteAbandonedUploads(Duration age) {
        Objects.requireNonNull(age, "age");
        Instant before = Instant.now().minus(age);
        String action = "cannot delete abandoned uploads in " + id;
        int deleted = 0;
        for (DriveLayout.Entry entry : layout.entries(action, "")) {
            File file = entry.file();
            if (file.getName().startsWith(DriveFiles.UPLOAD_PREFIX)
                    && DriveFiles.time(file.getCreatedTime()).isBefore(before)) {
                files.remove(action, file.getId(), DeleteMode.PERMANENT);
                deleted++;
            }
        }
        return deleted;
    }

    private Optional<File> find(String action, String key) {
        return DriveFiles.winner(layout.filesOf(action, key, false));
    }

    private ObjectInfo info(String key, File file) {
        return new ObjectInfo(key, DriveFiles.size(file), DriveFiles.time(file.getModifiedTime()),
                DriveFiles.sha256(file));
    }

    private NotFoundException notFound(String key) {
        return new NotFoundException("no object '" + key + "' in " + id);
    }

    /** Releases the HTTP connections. */
    @Override
    public void close() {
        try {
            clients.transport.shutdown();
        } catch (IOException e) {
            LOG.debug("{}: closing the HTTP transport failed: {}", id, e.toString());
        }
    }

    @Override
    public String toString() {
        return "GoogleDriveRepository[" + id + ", " + config.credentials() + "]";
    }
}
