package io.pgvault.storage.local;

import io.pgvault.api.InvalidKeyException;
import io.pgvault.api.RepositoryException;
import io.pgvault.spi.ObjectKeys;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Maps keys to paths below the repository root. Every key is validated, and a path that leaves the root through a
 * symbolic link is refused: the check guards against a misplaced link, not against a hostile user who can change the
 * tree while the repository works in it.
 */
final class KeyPaths {
    private final Path root;
    private final String repositoryId;
    private final Permissions permissions;

    /**
     * @param root the real path of the root directory
     */
    KeyPaths(Path root, String repositoryId, Permissions permissions) {
        this.root = root;
        this.repositoryId = repositoryId;
        this.permissions = permissions;
    }

    Path root() {
        return root;
    }

    /**
     * @return where {@code key}'s file is or would be; empty when a folder on its path is a file, so that no object
     *         can exist under the key
     * @throws InvalidKeyException when the key is unsafe or its path leaves the root through a symbolic link
     */
    Optional<Path> locate(String key) throws IOException {
        String[] names = ObjectKeys.validate(key).split("/");
        Path current = root;
        for (int i = 0; i < names.length; i++) {
            current = current.resolve(names[i]);
            BasicFileAttributes attributes = attributesOf(key, current);
            if (attributes == null) {
                return Optional.of(root.resolve(key));
            }
            if (i < names.length - 1 && !attributes.isDirectory()) {
                return Optional.empty();
            }
        }
        return Optional.of(current);
    }

    /**
     * Creates the folders on {@code key}'s path, with the configured permissions.
     *
     * @return where {@code key}'s file is to be renamed to
     * @throws RepositoryException when a folder on the path is an object, or the key names a folder
     */
    Path prepare(String key) throws IOException {
        String[] names = ObjectKeys.validate(key).split("/");
        Path current = root;
        for (int i = 0; i < names.length - 1; i++) {
            current = current.resolve(names[i]);
            ensureDirectory(key, current);
        }
        Path target = current.resolve(names[names.length - 1]);
        BasicFileAttributes existing = readAttributes(target, LinkOption.NOFOLLOW_LINKS);
        if (existing != null && existing.isDirectory()) {
            throw new RepositoryException("cannot store '" + key + "' in " + repositoryId + ": keys under '" + key
                    + "/' exist, and a local repository cannot hold both a key and keys under it", null);
        }
        return target;
    }

    /** @return the key of a file below the root */
    String keyOf(Path file) {
        StringJoiner key = new StringJoiner("/");
        root.relativize(file).forEach(name -> key.add(name.toString()));
        return key.toString();
    }

    private void ensureDirectory(String key, Path directory) throws IOException {
        BasicFileAttributes attributes = attributesOf(key, directory);
        // another writer may create the folder first, and a delete that emptied it may remove it again right
        // after: try again a few times rather than take a vanished folder for an object
        for (int attempt = 0; attributes == null && attempt < 5; attempt++) {
            try {
                permissions.createDirectory(directory);
                return;
            } catch (FileAlreadyExistsException raced) {
                attributes = attributesOf(key, directory);
            }
        }
        if (attributes == null || !attributes.isDirectory()) {
            throw new RepositoryException("cannot store '" + key + "' in " + repositoryId + ": '" + keyOf(directory)
                    + "' is an object, and a local repository cannot hold both a key and keys under it", null);
        }
    }

    /** @return the attributes of {@code path}, following a symbolic link only when it stays below the root */
    private BasicFileAttributes attributesOf(String key, Path path) throws IOException {
        BasicFileAttributes attributes = readAttributes(path, LinkOption.NOFOLLOW_LINKS);
        if (attributes == null || !attributes.isSymbolicLink()) {
            return attributes;
        }
        Path target;
        try {
            target = path.toRealPath();
        } catch (NoSuchFileException e) {
            throw new InvalidKeyException("key '" + key + "' leads through the dangling symbolic link '"
                    + keyOf(path) + "' in " + repositoryId);
        }
        if (!target.startsWith(root)) {
            throw new InvalidKeyException("key '" + key + "' leaves " + repositoryId + " through the symbolic link '"
                    + keyOf(path) + "'");
        }
        return readAttributes(target);
    }

    private static BasicFileAttributes readAttributes(Path path, LinkOption... options) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, options);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
