package io.pgvault.internal;

import io.pgvault.api.RepositoryException;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/** A private (0700) directory created lazily for one operation and deleted with everything in it afterwards. */
public final class ScratchDirectory implements AutoCloseable {
    private final Path base;
    private Path dir;

    /** @param base where to create it */
    public ScratchDirectory(Path base) {
        this.base = base;
    }

    /** @return the directory, created on first use */
    public synchronized Path get() {
        if (dir == null) {
            try {
                Files.createDirectories(base);
                dir = Files.createTempDirectory(base, "pgvault-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw new RepositoryException("cannot create a scratch directory under " + base + ": " + e, e);
            }
        }
        return dir;
    }

    @Override
    public synchronized void close() {
        if (dir == null) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(ScratchDirectory.class)
                    .warn("could not remove scratch directory {}: {}", dir, e.toString());
        }
        dir = null;
    }
}
