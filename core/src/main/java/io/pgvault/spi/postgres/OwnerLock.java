package io.pgvault.spi.postgres;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A lock the maker of a server directory holds for as long as it lives: a POSIX record lock on
 * {@code <base>/.<directory name>.lock}, a file of this process's user made next to the directory. The kernel
 * releases it when the maker dies, in whatever pid namespace it ran, so a sweeper that cannot judge the maker's pid
 * (a container restarted in a new namespace after an OOM kill, another container sharing the volume) can still tell a
 * dead maker (the lock is free) from a live one (it is held). Where the base directory is not writable by this
 * process (the server's user made the directory), there is no lock and the pid alone decides.
 *
 * <p>A process never tests its own locks: closing any channel of a file releases all of a process's POSIX locks on
 * it, so the lock files this JVM holds are remembered and reported held.
 */
final class OwnerLock implements AutoCloseable {
    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private OwnerLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** @return the lock file of a server directory */
    static Path fileOf(Path directory) {
        return directory.resolveSibling("." + directory.getFileName() + ".lock");
    }

    /**
     * Makes the lock file (create-only, 0600, no link followed) and locks it.
     *
     * @param directory the server directory just made
     * @return the lock, or empty when it cannot be made (the base is not writable here, a file is in the way)
     */
    static Optional<OwnerLock> hold(Path directory) {
        Path file = fileOf(directory);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            HELD_HERE.add(file);
            return Optional.of(new OwnerLock(file, channel, lock));
        } catch (IOException | UnsupportedOperationException | OverlappingFileLockException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // nothing held
                }
            }
            return Optional.empty();
        }
    }

    /**
     * @param directory a server directory
     * @return whether its lock file exists, is a regular file of this process's user (not the server's, who could
     *         make one that nobody holds), and nobody holds its lock: its maker is dead
     */
    static boolean free(Path directory) {
        Path file = fileOf(directory);
        if (HELD_HERE.contains(file)) {
            return false;
        }
        try {
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || !a.owner().getName().equals(System.getProperty("user.name"))) {
                return false;
            }
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS))) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return false;
            }
            lock.release();
            return true;
        } catch (IOException | OverlappingFileLockException e) {
            return false;
        }
    }

    /** Removes the lock file of a directory swept away (its maker is dead: nobody holds it). */
    static void remove(Path directory) {
        Path file = fileOf(directory);
        if (!HELD_HERE.contains(file)) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a stray empty file; the next sweep tries again
            }
        }
    }

    /** Releases the lock and removes the file. */
    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // closing releases it in any case
        } finally {
            HELD_HERE.remove(file);
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a stray empty file; a sweep removes it
            }
        }
    }
}
