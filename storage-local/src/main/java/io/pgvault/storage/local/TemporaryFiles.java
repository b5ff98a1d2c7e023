package io.pgvault.storage.local;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;

/**
 * The repository's hidden files: temporary files of puts in progress (or of puts a crash interrupted) and checksum
 * sidecars. Their names start with a dot, which no key segment may, so they never collide with objects and are never
 * listed.
 */
final class TemporaryFiles {
    /** Prefix of every temporary file; a random suffix follows. */
    static final String PREFIX = ".pgvault-tmp-";

    private TemporaryFiles() {
    }

    static boolean isHidden(Path path) {
        return path.getFileName().toString().startsWith(".");
    }

    /**
     * Deletes temporary files, and sidecars whose object is gone, that nobody has modified for at least {@code age}.
     *
     * @return how many files were deleted
     */
    static int deleteStale(Path root, Duration age) throws IOException {
        Instant cutoff = Instant.now().minus(age);
        int[] deleted = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (!attributes.lastModifiedTime().toInstant().isAfter(cutoff) && isLeftover(file)
                        && Files.deleteIfExists(file)) {
                    deleted[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
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
        });
        return deleted[0];
    }

    private static boolean isLeftover(Path file) {
        String name = file.getFileName().toString();
        if (name.startsWith(PREFIX)) {
            return true;
        }
        return name.startsWith(Checksums.SIDECAR_PREFIX)
                && Files.notExists(file.resolveSibling(name.substring(Checksums.SIDECAR_PREFIX.length())),
                        LinkOption.NOFOLLOW_LINKS);
    }
}
