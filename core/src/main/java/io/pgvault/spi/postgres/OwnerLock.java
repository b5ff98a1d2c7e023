package io.pgvault.spi.postgres;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A lock the maker of a server directory holds for as long as it lives: a POSIX record lock on
 * {@code <base>/.<directory name>.lock}, a file of this process's user next to the directory. The kernel releases it
 * when the maker dies, in whatever pid namespace it ran, so a sweeper that cannot judge the maker's pid (a container
 * restarted in a new namespace after an OOM kill, another container sharing the volume) can still tell a dead maker
 * (the lock is free) from a live one (it is held).
 *
 * <ul>
 *   <li>The file appears under its name already locked: it is made and locked under a temporary name, then linked to
 *       its name (which fails if the name exists) and the temporary name removed.</li>
 *   <li>It is judged only in a base directory the server's user cannot change entries of (owned by root or this
 *       process's user and not writable by others, or sticky), only when it is a regular file of this process's uid
 *       with one link, and a sweeper that finds it free keeps it locked until the directory is gone.</li>
 *   <li>A process never tests locks it holds itself: closing any channel of a file releases all of a process's POSIX
 *       locks on it. The files this JVM holds are remembered by device and inode, and reported held.</li>
 * </ul>
 * Where the base is not writable by this process (the server's user made the directory), there is no lock, and the
 * pid alone decides.
 */
final class OwnerLock implements AutoCloseable {
    /** What a lock file says of its directory's maker. */
    enum State {
        /** Held: the maker lives. */
        HELD,
        /** Free: the maker is dead. */
        FREE,
        /** No lock file, or one that proves nothing: judge by the pid. */
        UNKNOWN
    }

    private static final Map<Object, Boolean> HELD_HERE = new ConcurrentHashMap<>();

    private final Path file;
    private final Object key;
    private final FileChannel channel;
    private final FileLock lock;

    private OwnerLock(Path file, Object key, FileChannel channel, FileLock lock) {
        this.file = file;
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /** @return the lock file of a server directory */
    static Path fileOf(Path directory) {
        return directory.resolveSibling("." + directory.getFileName() + ".lock");
    }

    /**
     * Makes the lock file, locked before it has its name.
     *
     * @param directory the server directory just made
     * @return the lock, or empty when it cannot be made (the base is not writable here, a file is in the way, the
     *         file system has no locks)
     */
    static Optional<OwnerLock> hold(Path directory) {
        Path file = fileOf(directory);
        Path tmp = directory.resolveSibling(".pgvault-lock-" + UUID.randomUUID() + ".tmp");
        FileChannel channel = null;
        Object key = null;
        try {
            channel = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            key = Files.readAttributes(tmp, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (key == null) {
                throw new IOException("no file key");
            }
            HELD_HERE.put(key, Boolean.TRUE); // before the lock exists, so a sweeper here never opens it
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IOException("locked by someone else");
            }
            Files.createLink(file, tmp); // fails when the name exists; the name appears locked
            Files.delete(tmp);
            return Optional.of(new OwnerLock(file, key, channel, lock));
        } catch (IOException | UnsupportedOperationException | OverlappingFileLockException e) {
            if (key != null) {
                HELD_HERE.remove(key);
            }
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // nothing held
                }
            }
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a stray temporary file
            }
            return Optional.empty();
        }
    }

    /**
     * Judges a directory's maker by its lock. When the lock is free, it is taken and returned in {@code taken}: the
     * caller holds it until the directory is gone (so another sweeper sees it held), then closes it.
     *
     * @param directory a server directory
     * @param taken     receives the lock when the state is {@link State#FREE}
     * @return the state
     */
    static State judge(Path directory, java.util.function.Consumer<OwnerLock> taken) {
        Path file = fileOf(directory);
        Object key;
        try {
            if (!baseIsSafe(directory.getParent())) {
                return State.UNKNOWN;
            }
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            key = a.fileKey();
            if (!a.isRegularFile() || key == null
                    || ((Number) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue() != uid()
                    || ((Number) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).longValue() != 1) {
                return State.UNKNOWN;
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return State.UNKNOWN;
        }
        if (HELD_HERE.containsKey(key)) {
            return State.HELD;
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, Set.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
            Object opened = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (!key.equals(opened) || HELD_HERE.putIfAbsent(key, Boolean.TRUE) != null) {
                channel.close();
                return State.UNKNOWN;
            }
            FileLock lock = channel.tryLock();
            if (lock == null) {
                HELD_HERE.remove(key);
                channel.close();
                return State.HELD;
            }
            taken.accept(new OwnerLock(file, key, channel, lock));
            return State.FREE;
        } catch (IOException | OverlappingFileLockException e) {
            HELD_HERE.remove(key);
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // nothing held
                }
            }
            return State.UNKNOWN;
        }
    }

    /**
     * @return whether nobody but root and this process's user can change the base's entries: owned by one of them,
     *         and not writable by group or others unless sticky
     */
    private static boolean baseIsSafe(Path base) throws IOException {
        long owner = ((Number) Files.getAttribute(base, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        int mode = ((Number) Files.getAttribute(base, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
        boolean sticky = (mode & 01000) != 0;
        return (owner == 0 || owner == uid()) && ((mode & 0022) == 0 || sticky);
    }

    /** @return this process's effective uid (the owner of its {@code /proc} entry) */
    private static long uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc", Long.toString(ProcessHandle.current().pid())),
                "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    /**
     * Releases the lock; removes the file first when its directory is gone (nobody may take the free lock of a file
     * still named then). A directory still there keeps its file: its maker is judged by it again.
     */
    @Override
    public void close() {
        String name = file.getFileName().toString();
        Path directory = file.resolveSibling(name.substring(1, name.length() - ".lock".length()));
        try {
            if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // a stray file; its lock is free once this process lets go, and a sweep removes it
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // closing releases it in any case
        } finally {
            HELD_HERE.remove(key);
        }
    }
}
