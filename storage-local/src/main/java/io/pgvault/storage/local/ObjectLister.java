package io.pgvault.storage.local;

import io.pgvault.api.InvalidKeyException;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectKeys;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Walks the tree below the root for the objects whose keys start with a prefix, skipping hidden files, symbolic
 * links and folders that cannot hold a match, and sorts them by key (a walk's order is not String order: {@code a-b}
 * sorts before {@code a/b}).
 */
final class ObjectLister {
    private final KeyPaths paths;
    private final Checksums checksums;

    ObjectLister(KeyPaths paths, Checksums checksums) {
        this.paths = paths;
        this.checksums = checksums;
    }

    /** @param prefix a validated prefix */
    List<ObjectInfo> list(String prefix) throws IOException {
        Optional<Path> start = startOf(prefix);
        if (start.isEmpty()) {
            return List.of();
        }
        List<ObjectInfo> found = new ArrayList<>();
        Files.walkFileTree(start.get(), new Visitor(start.get(), prefix, found));
        found.sort(Comparator.comparing(ObjectInfo::key));
        return List.copyOf(found);
    }

    ObjectInfo info(String key, Path file, BasicFileAttributes attributes) {
        return new ObjectInfo(key, attributes.size(), attributes.lastModifiedTime().toInstant(),
                checksums.read(file, attributes));
    }

    /** @return the deepest directory every key with {@code prefix} lies under, if it exists */
    private Optional<Path> startOf(String prefix) throws IOException {
        int slash = prefix.lastIndexOf('/');
        if (slash < 0) {
            return Optional.of(paths.root());
        }
        return paths.locate(prefix.substring(0, slash))
                .filter(directory -> Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS));
    }

    /** Files someone else put here under names that are no valid key cannot be addressed: leave them out. */
    private static boolean isValidKey(String key) {
        try {
            ObjectKeys.validate(key);
            return true;
        } catch (InvalidKeyException e) {
            return false;
        }
    }

    private final class Visitor extends SimpleFileVisitor<Path> {
        private final Path start;
        private final String prefix;
        private final List<ObjectInfo> found;

        Visitor(Path start, String prefix, List<ObjectInfo> found) {
            this.start = start;
            this.prefix = prefix;
            this.found = found;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) {
            if (directory.equals(start)) {
                return FileVisitResult.CONTINUE;
            }
            String folder = paths.keyOf(directory) + "/";
            boolean mayHoldMatches = folder.startsWith(prefix) || prefix.startsWith(folder);
            return mayHoldMatches && !TemporaryFiles.isHidden(directory)
                    ? FileVisitResult.CONTINUE
                    : FileVisitResult.SKIP_SUBTREE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
            if (attributes.isRegularFile() && !TemporaryFiles.isHidden(file)) {
                String key = paths.keyOf(file);
                if (key.startsWith(prefix) && isValidKey(key)) {
                    found.add(info(key, file, attributes));
                }
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE; // deleted while the walk went on
            }
            throw e;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
                throw e;
            }
            return FileVisitResult.CONTINUE;
        }
    }
}
