package io.pgvault.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Directory trees tests create and remove.
 *
 * @since 0.2.0
 */
public final class Directories {
    private Directories() {
    }

    /**
     * Creates a directory a cluster and its tools (pgBackRest run as the server's OS user) may live in: a new
     * {@code rwxr-xr-x} directory under {@code /tmp}, owned by {@value PostgresCluster#SUPERUSER} when this JVM runs
     * as root. {@code /tmp} rather than JUnit's 0700 {@code @TempDir}, which the server's user cannot enter, and
     * short enough for Unix socket paths.
     *
     * @param prefix the start of its name, e.g. {@code pgbr-}
     * @return the new directory; delete it with {@link #deleteRecursively(Path)}
     * @throws UncheckedIOException when it cannot be created or handed over
     * @since 0.2.0
     */
    public static Path createServerOwned(String prefix) {
        return createServerOwned(Path.of("/tmp"), prefix);
    }

    /**
     * Creates a directory a cluster and its tools may live in, as {@link #createServerOwned(String)} does, under
     * another parent: a disk with room for a large cluster, say. The parent must let the server's user through.
     *
     * @param parent the existing directory to create it in
     * @param prefix the start of its name, e.g. {@code pgbr-}
     * @return the new directory; delete it with {@link #deleteRecursively(Path)}
     * @throws UncheckedIOException when it cannot be created or handed over
     * @since 0.2.0
     */
    public static Path createServerOwned(Path parent, String prefix) {
        try {
            Path dir = Files.createTempDirectory(parent, prefix);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            if ("root".equals(System.getProperty("user.name"))) {
                Files.setOwner(dir, FileSystems.getDefault().getUserPrincipalLookupService()
                        .lookupPrincipalByName(PostgresCluster.SUPERUSER));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the server's user under " + parent + ": " + e,
                    e);
        }
    }

    /**
     * Deletes a directory tree (or a single file) and everything in it; does nothing when {@code dir} is null or does
     * not exist. Symbolic links are deleted, not followed. Each directory is first made {@code rwx------} where this
     * process may do so, so that trees a test or a tool left read-only can be emptied; as root this includes what
     * the server's OS user wrote.
     *
     * @param dir the tree to delete, or null
     * @throws UncheckedIOException when something cannot be deleted (the walk stops there; what it deleted is gone)
     * @since 0.2.0
     */
    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    try {
                        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
                    } catch (IOException | UnsupportedOperationException e) {
                        // not ours to change: deleting its entries reports the real problem, if there is one
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    if (exc != null) {
                        throw exc;
                    }
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }
}
