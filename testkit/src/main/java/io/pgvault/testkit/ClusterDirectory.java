package io.pgvault.testkit;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;
import java.util.Set;

/**
 * The directory a throwaway cluster lives in: {@code data/} (made by initdb), the Unix socket and the server log.
 * It is created by this process and handed to the server's OS user, because PostgreSQL refuses to run as root and
 * must be able to reach every parent directory.
 */
final class ClusterDirectory {
    /** Unix socket paths are limited to 107 bytes; {@code /.s.PGSQL.NNNNN} takes 16 of them. */
    private static final int MAX_SOCKET_DIR_LENGTH = 90;

    private ClusterDirectory() {
    }

    /**
     * @param base     where to create it (must exist or be creatable)
     * @param osUser   the server's OS user when it differs from this process's
     * @param asRoot   whether this process is root (and so can hand the directory over with chown)
     * @return a new, empty, 0755 directory the server's user owns (or, without root, may write)
     */
    static Path create(Path base, Optional<String> osUser, boolean asRoot) {
        try {
            Path absBase = base.toAbsolutePath().normalize();
            Files.createDirectories(absBase);
            if (osUser.isPresent()) {
                requireTraversable(absBase, osUser.get());
            }
            Path dir = Files.createTempDirectory(absBase, "pgvault-pg-");
            if (dir.toString().length() > MAX_SOCKET_DIR_LENGTH) {
                Directories.deleteRecursively(dir);
                throw new ConfigurationException("cluster directory " + dir + " is too long for a Unix socket path ("
                        + MAX_SOCKET_DIR_LENGTH + " characters at most): choose a shorter base directory");
            }
            if (osUser.isPresent()) {
                if (asRoot) {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
                    UserPrincipal owner = FileSystems.getDefault().getUserPrincipalLookupService()
                            .lookupPrincipalByName(osUser.get());
                    Files.setOwner(dir, owner);
                } else {
                    // without root there is no chown: the server's user (reached with sudo) needs write access
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
                }
            } else {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            return dir;
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY,
                    "cannot create a cluster directory under " + base + ": " + e, e);
        }
    }

    /**
     * Fails early, with a clear message, where initdb would fail late with "Permission denied".
     */
    private static void requireTraversable(Path dir, String osUser) throws IOException {
        for (Path p = dir; p != null; p = p.getParent()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            boolean owned = Files.getOwner(p).getName().equals(osUser);
            if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE) && !owned) {
                throw new ConfigurationException("OS user " + osUser + " cannot enter " + p + " (mode "
                        + PosixFilePermissions.toString(perms) + "), so the cluster cannot live under " + dir
                        + ": choose another base directory (JUnit's @TempDir is such a 0700 directory)");
            }
        }
    }
}
