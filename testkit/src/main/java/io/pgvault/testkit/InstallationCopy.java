package io.pgvault.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A copy of a program installation (PostgreSQL's {@code bin}, {@code lib}, {@code share}) under {@code /tmp} that
 * every user may read and run, for installations the server's OS user cannot reach (under root's 0700 home). Made
 * once per installation (its path and its directory's modification time): later calls, in this JVM or another, reuse a
 * complete copy this user made.
 */
final class InstallationCopy {
    private static final String COMPLETE = ".pgvault-complete";

    private InstallationCopy() {
    }

    /** @return whether every directory from the root down to {@code dir} lets others through ({@code o+x}) */
    static boolean traversableByAll(Path dir) {
        try {
            for (Path d = dir.toRealPath(); d != null; d = d.getParent()) {
                if (!Files.getPosixFilePermissions(d).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the permissions above " + dir, e);
        }
    }

    /**
     * @param installation the directory to copy
     * @param name         the copy's name under {@code /tmp}, e.g. {@code pgvault-postgresql-17.6}
     * @return the complete copy, readable and (where the original was) executable by all
     */
    static synchronized Path of(Path installation, String name) {
        Path target = Path.of("/tmp", name + "-" + Integer.toHexString(
                (installation.toAbsolutePath() + "@" + modified(installation)).hashCode()));
        boolean planted = false;
        if (Files.exists(target.resolve(COMPLETE), LinkOption.NOFOLLOW_LINKS)) {
            if (ours(target) && ours(target.resolve(COMPLETE))) {
                return target;
            }
            // /tmp is everyone's: a copy another user made (or planted) there is not run, a private one is made
            planted = true;
        }
        try {
            Path tmp = Files.createTempDirectory(Path.of("/tmp"), name + "-copy-");
            try (Stream<Path> all = Files.walk(installation)) {
                for (Path src : (Iterable<Path>) all::iterator) {
                    Path dst = tmp.resolve(installation.relativize(src).toString());
                    if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectories(dst);
                    } else {
                        Files.copy(src, dst, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                    if (!Files.isSymbolicLink(dst)) {
                        Files.setPosixFilePermissions(dst, readableByAll(Files.getPosixFilePermissions(dst)));
                    }
                }
            }
            Files.createFile(tmp.resolve(COMPLETE), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-r--r--")));
            Files.setPosixFilePermissions(tmp.resolve(COMPLETE), PosixFilePermissions.fromString("rw-r--r--"));
            if (planted) {
                return tmp; // not shared: left for /tmp's cleaning, like the shared copies
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileSystemException e) {
                // another JVM was first (Linux says "Directory not empty"): its copy serves if it is ours
                if (ours(target) && ours(target.resolve(COMPLETE))) {
                    Directories.deleteRecursively(tmp);
                } else {
                    return tmp;
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + installation + " to " + target + ": " + e, e);
        }
    }

    /** @return when the installation's directory last changed: a reinstalled tree gets a fresh copy */
    private static String modified(Path installation) {
        try {
            return Files.getLastModifiedTime(installation).toString();
        } catch (IOException e) {
            return "?";
        }
    }

    /** @return whether {@code path} is no symbolic link, is this process's user's, and only its owner may write it */
    private static boolean ours(Path path) {
        try {
            PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Object uid = Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            Object me = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return !a.isSymbolicLink() && uid.equals(me)
                    && !a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                    && !a.permissions().contains(PosixFilePermission.OTHERS_WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static Set<PosixFilePermission> readableByAll(Set<PosixFilePermission> perms) {
        Set<PosixFilePermission> p = new HashSet<>(perms);
        p.addAll(PosixFilePermissions.fromString("r--r--r--"));
        if (p.contains(PosixFilePermission.OWNER_EXECUTE)) {
            p.addAll(PosixFilePermissions.fromString("--x--x--x"));
        }
        return p;
    }
}
