package io.pgvault.storage.local;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.RepositoryException;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectKeys;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Repository} in a directory of a local or mounted file system: each key is a file below the root.
 * <pre>{@code
 * Repository repository = LocalRepository.at(Path.of("/var/backups/pg"));
 * }</pre>
 *
 * <p><b>Atomic, durable puts.</b> A put streams into a temporary file {@code .pgvault-tmp-RANDOM} in the object's
 * directory while digesting it with SHA-256, syncs the file ({@link FileChannel#force}), renames it over the key
 * ({@code ATOMIC_MOVE}, replacing an existing object) and syncs the directory. A reader sees the old object or the new
 * one, never a part. When anything fails the temporary file is deleted. Temporary files start with a dot, which no
 * key segment may (see {@link ObjectKeys}), so they never collide with objects and are never listed; those of a crashed
 * process are removed when a repository is opened ({@link LocalRepositoryConfig#cleanUpOnStart()}) or by
 * {@link #deleteStaleTemporaryFiles(Duration)}.
 *
 * <p><b>Checksums.</b> The SHA-256 computed during the put is kept, by default, in the extended attribute
 * {@code user.pgvault.sha256} of the object's file, set on the temporary file before the rename so that bytes and
 * digest appear together; on file systems without extended attributes it goes to a hidden sidecar file
 * {@code .pgvault-sha256.NAME} made durable before the rename (see {@link ChecksumStorage}). {@link #stat} and
 * {@link #list} report a recorded digest only while the file still matches the record, and no digest otherwise.
 *
 * <p><b>Safety.</b> Keys are validated with {@link ObjectKeys#validate}; a key whose path leaves the root through a
 * symbolic link is refused with {@link io.pgvault.api.InvalidKeyException}, and {@link #list} ignores symbolic links.
 * Files and the directories the repository creates get the configured permissions ({@code 0600}/{@code 0700} by
 * default: backups hold database contents). {@link #delete} removes directories it leaves empty, up to the root.
 *
 * <p>Thread-safe: it holds no mutable state, and concurrent puts to one key leave one of them whole.
 *
 * <p><b>Limits of a file system.</b> A key and keys under it ({@code a} and {@code a/b}) cannot both exist; each key
 * segment must fit a file name (255 bytes on most file systems, less the sidecar prefix when sidecars are used).
 *
 * @since 0.1.0
 */
public final class LocalRepository implements Repository {
    private static final Logger LOG = LoggerFactory.getLogger(LocalRepository.class);
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int CREATE_ATTEMPTS = 10;
    private static final boolean WINDOWS = File.separatorChar == '\\';

    private final LocalRepositoryConfig config;
    private final String id;
    private final KeyPaths paths;
    private final Permissions permissions;
    private final Checksums checksums;
    private final ObjectLister lister;

    private LocalRepository(LocalRepositoryConfig config, Path realRoot) {
        this.config = config;
        this.id = "local:" + config.root();
        this.permissions = new Permissions(realRoot, config.filePermissions(), config.directoryPermissions());
        this.paths = new KeyPaths(realRoot, id, permissions);
        this.checksums = new Checksums(config.checksumStorage(), permissions);
        this.lister = new ObjectLister(paths, checksums);
    }

    /**
     * Opens a repository with default settings, creating its root if missing.
     *
     * @param root the directory holding the objects
     * @return the repository
     * @throws RepositoryException when the root cannot be created or read
     * @since 0.1.0
     */
    public static LocalRepository at(Path root) {
        return of(LocalRepositoryConfig.builder(root).build());
    }

    /**
     * Opens a repository: creates its root if missing and allowed, and removes stale temporary files if configured.
     *
     * @param config the settings
     * @return the repository
     * @throws ConfigurationException when the root is missing (and may not be created) or is not a directory
     * @throws RepositoryException    when the root cannot be created or read
     * @since 0.1.0
     */
    public static LocalRepository of(LocalRepositoryConfig config) {
        Objects.requireNonNull(config, "config");
        Path root = config.root();
        try {
            if (Files.notExists(root)) {
                if (!config.createRoot()) {
                    throw new ConfigurationException("repository root " + root + " does not exist");
                }
                new Permissions(root, config.filePermissions(), config.directoryPermissions()).createDirectories(root);
            }
            if (!Files.isDirectory(root)) {
                throw new ConfigurationException("repository root " + root + " is not a directory");
            }
            LocalRepository repository = new LocalRepository(config, root.toRealPath());
            if (config.cleanUpOnStart()) {
                repository.deleteStaleTemporaryFiles(config.staleTemporaryFileAge());
            }
            return repository;
        } catch (IOException e) {
            throw new RepositoryException("cannot open the repository local:" + root + ": " + describe(e), e);
        }
    }

    /**
     * Deletes the temporary files of interrupted puts, and checksum sidecars of deleted objects, that have not been
     * modified for at least {@code age}. A put in progress keeps modifying its temporary file, so an age longer than
     * any stall of a producer never touches one.
     *
     * @param age how long a leftover must have gone unmodified
     * @return how many files were deleted
     * @throws RepositoryException when the tree cannot be walked or a file cannot be deleted
     * @since 0.1.0
     */
    public int deleteStaleTemporaryFiles(Duration age) {
        Objects.requireNonNull(age, "age");
        try {
            int deleted = TemporaryFiles.deleteStale(paths.root(), age);
            if (deleted > 0) {
                LOG.info("{}: deleted {} leftover temporary file(s) older than {}", id, deleted, age);
            }
            return deleted;
        } catch (IOException e) {
            throw new RepositoryException("cannot delete stale temporary files in " + id + ": " + describe(e), e);
        }
    }

    /**
     * @return the settings this repository was opened with
     * @since 0.1.0
     */
    public LocalRepositoryConfig config() {
        return config;
    }

    /**
     * @return {@code local:} followed by the absolute root, e.g. {@code local:/var/backups/pg}
     * @since 0.1.0
     */
    @Override
    public String id() {
        return id;
    }

    /** @since 0.1.0 */
    @Override
    public ObjectInfo put(String key, ObjectWriter writer) {
        return store(key, writer, false).orElseThrow();
    }

    /**
     * Create-only: the complete temporary file is hard-linked to the key ({@code link(2)} fails atomically when the
     * name exists, across processes and hosts sharing the file system), so two writers never both succeed.
     *
     * @since 0.3.0
     */
    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, ObjectWriter writer) {
        return store(key, writer, true);
    }

    /** @return {@code true}: see {@link #putIfAbsent} @since 0.3.0 */
    @Override
    public boolean putIfAbsentIsAtomic() {
        return true;
    }

    private Optional<ObjectInfo> store(String key, ObjectWriter writer, boolean createOnly) {
        ObjectKeys.validate(key);
        Objects.requireNonNull(writer, "writer");
        Path temporary = null;
        boolean renamed = false;
        try {
            Path target = null;
            for (int attempt = 1; temporary == null; attempt++) {
                try {
                    target = paths.prepare(key);
                    temporary = permissions.createTemporaryFile(target.getParent(), TemporaryFiles.PREFIX);
                } catch (NoSuchFileException e) {
                    // A concurrent delete removed a folder it had emptied before our file got into it: create it again.
                    if (attempt == CREATE_ATTEMPTS) {
                        throw e;
                    }
                }
            }
            if (createOnly && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty(); // cheap early answer; the link below is what decides
            }
            ObjectInfo info = write(key, writer, temporary, target);
            if (createOnly) {
                try {
                    Files.createLink(target, temporary);
                } catch (FileAlreadyExistsException e) {
                    if (!Files.isSameFile(target, temporary)) {
                        return Optional.empty();
                    }
                }
                renamed = true;
                Files.delete(temporary);
            } else {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                renamed = true;
            }
            syncDirectory(target.getParent());
            return Optional.of(info);
        } catch (IOException e) {
            throw renamed
                    ? new RepositoryException("stored '" + key + "' in " + id + " but could not make its directory "
                            + "entry durable: " + describe(e), e)
                    : storeFailure(key, e);
        } finally {
            if (!renamed && temporary != null) {
                discard(temporary);
            }
        }
    }

    /** Streams the producer's bytes into {@code temporary}, records their digest and syncs the file. */
    private ObjectInfo write(String key, ObjectWriter writer, Path temporary, Path target) throws IOException {
        long size;
        String sha256;
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            DigestingOutputStream out = new DigestingOutputStream(
                    new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_SIZE));
            produce(key, writer, out);
            out.seal();
            size = out.size();
            sha256 = out.sha256();
            checksums.record(temporary, target, sha256, size);
            channel.force(true);
        }
        return new ObjectInfo(key, size, Files.getLastModifiedTime(temporary).toInstant(), Optional.of(sha256));
    }

    private void produce(String key, ObjectWriter writer, DigestingOutputStream out) throws IOException {
        try {
            writer.writeTo(out);
        } catch (IOException | RuntimeException e) {
            IOException storage = out.storageFailure();
            if (storage != null) {
                // The producer failed because the file did: report the cause, not the symptom.
                if (storage != e) {
                    storage.addSuppressed(e);
                }
                throw storage;
            }
            if (e instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            throw new RepositoryException("the producer of '" + key + "' failed while it was being stored in " + id
                    + "; nothing was stored: " + describe(e), e);
        }
    }

    /** @since 0.1.0 */
    @Override
    public InputStream open(String key) {
        ObjectKeys.validate(key);
        try {
            Optional<Path> file = paths.locate(key);
            if (file.isEmpty() || !Files.isRegularFile(file.get())) {
                throw notFound(key);
            }
            return Files.newInputStream(file.get());
        } catch (NoSuchFileException e) {
            throw notFound(key);
        } catch (IOException e) {
            throw new RepositoryException("cannot open '" + key + "' in " + id + ": " + describe(e), e);
        }
    }

    /** @since 0.1.0 */
    @Override
    public Optional<ObjectInfo> stat(String key) {
        ObjectKeys.validate(key);
        try {
            Optional<Path> file = paths.locate(key);
            if (file.isEmpty()) {
                return Optional.empty();
            }
            BasicFileAttributes attributes = Files.readAttributes(file.get(), BasicFileAttributes.class);
            return attributes.isRegularFile()
                    ? Optional.of(lister.info(key, file.get(), attributes))
                    : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new RepositoryException("cannot stat '" + key + "' in " + id + ": " + describe(e), e);
        }
    }

    /** @since 0.1.0 */
    @Override
    public List<ObjectInfo> list(String prefix) {
        String validPrefix = ObjectKeys.validatePrefix(prefix);
        try {
            return lister.list(validPrefix);
        } catch (IOException e) {
            throw new RepositoryException("cannot list '" + validPrefix + "' in " + id + ": " + describe(e), e);
        }
    }

    /** @since 0.1.0 */
    @Override
    public void delete(String key) {
        ObjectKeys.validate(key);
        try {
            Optional<Path> file = paths.locate(key);
            if (file.isEmpty() || Files.isDirectory(file.get(), LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            if (!Files.deleteIfExists(file.get())) {
                return;
            }
            checksums.forget(file.get());
            // durable before returning: the catalog deletes a manifest before its objects, and a manifest that
            // reappeared after a crash would list a set whose objects are gone
            try {
                syncDirectory(file.get().getParent());
            } catch (NoSuchFileException concurrentlyRemoved) {
                // another delete emptied and removed the directory: the entry went with it
            }
            removeEmptyDirectories(file.get().getParent());
        } catch (IOException e) {
            throw new RepositoryException("cannot delete '" + key + "' from " + id + ": " + describe(e), e);
        }
    }

    /** @since 0.1.0 */
    @Override
    public String toString() {
        return "LocalRepository[" + id + "]";
    }

    /** Best effort: removes {@code directory} and its ancestors below the root while they are empty. */
    private void removeEmptyDirectories(Path directory) {
        for (Path current = directory; current.startsWith(paths.root()) && !current.equals(paths.root());
             current = current.getParent()) {
            try {
                if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                    return;
                }
                Files.delete(current);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                return;
            } catch (IOException e) {
                LOG.debug("{}: could not remove the empty directory {}: {}", id, current, e.toString());
                return;
            }
        }
    }

    private void discard(Path temporary) {
        try {
            Files.deleteIfExists(temporary);
            removeEmptyDirectories(temporary.getParent());
        } catch (IOException e) {
            // Left for deleteStaleTemporaryFiles; invisible meanwhile. The put's own failure is what gets reported.
            LOG.warn("{}: could not delete the temporary file {}: {}", id, temporary, e.toString());
        }
    }

    private static void syncDirectory(Path directory) throws IOException {
        if (WINDOWS) {
            return; // Windows cannot open a directory as a channel; NTFS journals renames itself.
        }
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private RepositoryException storeFailure(String key, IOException e) {
        if (isDiskFull(e)) {
            return new RepositoryException("cannot store '" + key + "' in " + id + ": the file system is full ("
                    + describe(e) + "; " + usableSpace() + "); nothing was stored", e);
        }
        return new RepositoryException("cannot store '" + key + "' in " + id + ": " + describe(e)
                + "; nothing was stored", e);
    }

    private static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
                return true;
            }
        }
        return false;
    }

    private String usableSpace() {
        try {
            return Files.getFileStore(paths.root()).getUsableSpace() + " bytes usable";
        } catch (IOException e) {
            return "usable space unknown";
        }
    }

    private NotFoundException notFound(String key) {
        return new NotFoundException("no object '" + key + "' in " + id);
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
