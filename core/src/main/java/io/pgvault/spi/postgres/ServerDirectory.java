package io.pgvault.spi.postgres;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The private directory of a {@link ThrowawayServer}: mode 0700, owned by the server's OS user, and never
 * world-writable at any moment. Who makes it, and so how files in it are read and written, is a
 * {@link Creation}: this process (no separate OS user), this process as root handing it over with a no-follow
 * {@code chown}, or — without root — the server's user itself through its launcher ({@code mktemp -d}), after which
 * every file operation in it goes through that launcher as well, since this process cannot enter it. When the
 * server's user cannot make it (the base directory is not writable for it), creation is refused with the reason;
 * it never falls back to a directory others may write.
 *
 * <p>Every file in it belongs to the server's user, who can run code while a drill runs (a restored
 * {@code shared_preload_libraries}, {@code COPY ... TO PROGRAM}) and so swap any of them for a link, a FIFO or a
 * directory link at any moment. Unless the server runs as this process's own user, this process therefore never opens,
 * walks or deletes anything in it itself: reads, writes and removal go through the launcher as the server's user
 * (links and anything but regular files read as empty, reads are capped and bounded in time), and a root process
 * only creates the directory and finally removes it once emptied.
 *
 * @since 0.6.0
 */
public final class ServerDirectory {
    private static final Duration FILE_TIMEOUT = Duration.ofMinutes(1);
    /** Reads are small; a FIFO planted between the check and the open must not hold a drill for long. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);
    /** The random part of a directory's name. */
    static final int RANDOM_LENGTH = 10;

    /**
     * Who makes the directory.
     *
     * @since 0.6.0
     */
    public enum Creation {
        /** The server runs as this process's user: this process makes the directory, 0700. */
        THIS_PROCESS,
        /** This process is root: it makes the directory 0700 and hands it to the server's user (no-follow chown). */
        HANDED_OVER,
        /**
         * The server's user makes it through its launcher ({@code umask 077; mktemp -d}); every later file operation
         * in it runs through the launcher too. The way without root, where there is no {@code chown}.
         */
        BY_SERVER_USER;

        /**
         * @param osUser the server's OS user, when it is not this process's own
         * @param root   whether this process is root
         * @return who makes the directory
         */
        public static Creation choose(Optional<String> osUser, boolean root) {
            if (osUser.isEmpty()) {
                return THIS_PROCESS;
            }
            return root ? HANDED_OVER : BY_SERVER_USER;
        }
    }

    private final Path path;
    private final Path base;
    private final Creation creation;
    private final ProcessRunner asServer;
    /** The directory's identity (device, inode) when made, so that removal can tell it from a replacement. */
    private final Object fileKey;

    private ServerDirectory(Path path, Path base, Creation creation, ProcessRunner asServer) {
        this.path = path;
        this.base = base;
        this.creation = creation;
        this.asServer = asServer;
        this.fileKey = creation == Creation.BY_SERVER_USER ? null : identity(path);
    }

    private static Object identity(Path dir) {
        try {
            return Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "cannot read the directory just made, " + dir + ": " + e,
                    e);
        }
    }

    /**
     * Makes a new private directory.
     *
     * @param base     where to make it (created by this process when missing); with {@link Creation#BY_SERVER_USER}
     *                 the server's user must be able to write there
     * @param prefix   the start of its name, plain characters only, e.g. {@code pgvault-drill-}
     * @param osUser   the server's OS user, when it is not this process's own
     * @param creation who makes it, usually {@link Creation#choose}
     * @param asServer runs commands as the server's OS user
     * @return the new, empty directory
     * @throws PgVaultException (REPOSITORY) when it cannot be made privately, saying why
     */
    public static ServerDirectory create(Path base, String prefix, Optional<String> osUser, Creation creation,
            ProcessRunner asServer) {
        Objects.requireNonNull(creation, "creation");
        if (!prefix.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("directory prefix must be plain characters: " + prefix);
        }
        if (creation != Creation.THIS_PROCESS && osUser.isEmpty()) {
            throw new IllegalArgumentException(creation + " needs the server's OS user");
        }
        Path abs = base.toAbsolutePath().normalize();
        requireTrusted(abs, osUser);
        try {
            Files.createDirectories(abs);
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "cannot create the work directory " + abs + ": " + e, e);
        }
        requireTrusted(abs, osUser);
        Path dir = switch (creation) {
            case THIS_PROCESS -> createHere(abs, prefix, Optional.empty());
            case HANDED_OVER -> {
                requireTraversable(abs, osUser.get());
                yield createHere(abs, prefix, osUser);
            }
            case BY_SERVER_USER -> createAsServer(abs, prefix, osUser.get(), asServer);
        };
        return new ServerDirectory(dir, abs, creation, asServer);
    }

    /**
     * Refuses a base directory someone else could change: the base and each of its parents, read without following
     * links, must be a directory (not a link), owned by root, this process's user or the server's user, and not
     * writable by group or others unless sticky (like {@code /tmp}). Otherwise whoever may write there could plant
     * a link where this process creates the server's directory, or rename it away while a drill runs. Parts not made
     * yet are skipped: their existing parent is checked, and this process makes them.
     */
    private static void requireTrusted(Path dir, Optional<String> osUser) {
        Set<String> owners = new java.util.TreeSet<>(List.of("root", System.getProperty("user.name")));
        osUser.ifPresent(owners::add);
        for (Path p = dir; p != null; p = p.getParent()) {
            PosixFileAttributes attrs;
            int mode;
            try {
                attrs = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            } catch (java.nio.file.NoSuchFileException e) {
                continue;
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                throw new PgVaultException(ErrorCode.REPOSITORY, "cannot check " + p + " above the work directory "
                        + dir + ": " + e, e);
            }
            String why = null;
            if (attrs.isSymbolicLink()) {
                why = "is a link (give the work directory by its real path)";
            } else if (!attrs.isDirectory()) {
                why = "is not a directory";
            } else if (!owners.contains(attrs.owner().getName())) {
                why = "is owned by " + attrs.owner().getName() + ", not by root, " + String.join(" or ",
                        owners.stream().filter(o -> !o.equals("root")).toList());
            } else if ((mode & 0022) != 0 && (mode & 01000) == 0) {
                why = "is writable by " + ((mode & 0002) != 0 ? "everyone" : "its group") + " and not sticky (mode "
                        + Integer.toOctalString(mode & 07777) + ")";
            }
            if (why != null) {
                throw new ConfigurationException("the work directory " + dir + " cannot be trusted: " + p + " " + why
                        + "; whoever may change it could redirect or remove the drill server's files. Choose a"
                        + " directory owned by root or this service's user, not writable by others (or sticky, like"
                        + " /tmp)");
            }
        }
    }

    /** Fails early, with a clear message, where initdb would fail late with "Permission denied". */
    private static void requireTraversable(Path dir, String user) {
        try {
            for (Path p = dir; p != null; p = p.getParent()) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE) && !Files.getOwner(p).getName().equals(user)) {
                    throw new ConfigurationException("OS user " + user + " cannot enter " + p + " (mode "
                            + PosixFilePermissions.toString(perms) + "), so its server cannot live under " + dir
                            + ": choose another directory (JUnit's @TempDir is such a 0700 directory)");
                }
            }
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "cannot read the permissions above " + dir + ": " + e, e);
        }
    }

    private static Path createHere(Path base, String prefix, Optional<String> owner) {
        try {
            // made 0700 in one step (mkdir fails on an existing name or link), under an unpredictable name of the
            // length mktemp's would have; chown does not follow links
            Path dir = null;
            for (int attempt = 0; dir == null; attempt++) {
                try {
                    dir = Files.createDirectory(base.resolve(prefix + randomName()),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    if (attempt >= 10) {
                        throw e;
                    }
                }
            }
            if (owner.isPresent()) {
                try {
                    Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                            .setOwner(FileSystems.getDefault().getUserPrincipalLookupService()
                                    .lookupPrincipalByName(owner.get()));
                } catch (IOException e) {
                    Files.deleteIfExists(dir);
                    throw e;
                }
            }
            return dir;
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "cannot create a private server directory under " + base
                    + owner.map(u -> " for OS user " + u).orElse("") + ": " + e, e);
        }
    }

    /** @return 10 random characters of {@code [0-9a-z]}, as many as mktemp's {@code XXXXXXXXXX} */
    private static String randomName() {
        java.security.SecureRandom random = new java.security.SecureRandom();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            b.append(Character.forDigit(random.nextInt(36), 36));
        }
        return b.toString();
    }

    /**
     * Takes charge of a directory an earlier process made with the same settings and left behind (it was killed), so
     * that it can be removed the way {@link #delete()} removes one made here.
     *
     * @param dir      the directory: an entry of {@code base}, a directory (not a link) of the server's user
     * @param base     the base directory it was made in
     * @param osUser   the server's OS user, when it is not this process's own
     * @param creation who made it, usually {@link Creation#choose}
     * @param asServer runs commands as the server's OS user
     * @return the directory
     * @throws PgVaultException (REPOSITORY) when it is not such a directory
     * @since 0.6.0
     */
    public static ServerDirectory adopt(Path dir, Path base, Optional<String> osUser, Creation creation,
            ProcessRunner asServer) {
        Path abs = base.toAbsolutePath().normalize();
        Path d = dir.toAbsolutePath().normalize();
        if (!abs.equals(d.getParent())) {
            throw new IllegalArgumentException(d + " is not an entry of " + abs);
        }
        requireTrusted(abs, osUser);
        String user = osUser.orElseGet(() -> System.getProperty("user.name"));
        try {
            PosixFileAttributes attrs = Files.readAttributes(d, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isDirectory() || !attrs.owner().getName().equals(user)) {
                throw new PgVaultException(ErrorCode.REPOSITORY, d + " is " + (attrs.isDirectory() ? "owned by "
                        + attrs.owner().getName() + ", not " + user : "not a directory") + ": not a server directory"
                        + " of these settings");
            }
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "cannot read " + d + ": " + e, e);
        }
        return new ServerDirectory(d, abs, creation, asServer);
    }

    private static Path createAsServer(Path base, String prefix, String user, ProcessRunner asServer) {
        String out;
        try {
            out = asServer.run(ToolCommand.builder("mktemp", "/bin/sh")
                    .arg("-c", "umask 077 && exec mktemp -d -- \"$1/$2XXXXXXXXXX\"", "sh", base.toString(), prefix)
                    .timeout(FILE_TIMEOUT).build()).stdout().strip();
        } catch (PgVaultException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "OS user " + user + " cannot create a private directory"
                    + " under " + base + " (" + e.getMessage() + "): make " + base + " writable for " + user
                    + " (a directory it owns, or a sticky one such as /tmp); pgvault does not fall back to a"
                    + " world-writable directory", e);
        }
        Path dir = Path.of(out);
        if (out.contains("\n") || !base.equals(dir.getParent()) || !dir.getFileName().toString().startsWith(prefix)) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "unexpected directory name from mktemp as " + user
                    + ": " + out);
        }
        // mktemp -d makes 0700; checked, since a wrapped mktemp or an odd file system could differ
        String mode = asServer.run(ToolCommand.builder("stat", "stat").arg("-c", "%a %U", "--", dir.toString())
                .timeout(FILE_TIMEOUT).build()).stdout().strip();
        if (!mode.equals("700 " + user)) {
            asServer.run(ToolCommand.builder("rm", "rm").arg("-rf", "--", dir.toString()).timeout(FILE_TIMEOUT)
                    .build());
            throw new PgVaultException(ErrorCode.REPOSITORY, "the directory OS user " + user + " made under " + base
                    + " is '" + mode + "', not '700 " + user + "': refused");
        }
        return dir;
    }

    /**
     * @return the directory
     * @since 0.6.0
     */
    public Path path() {
        return path;
    }

    /**
     * @return who made it, and so how its files are reached
     * @since 0.6.0
     */
    public Creation creation() {
        return creation;
    }

    /**
     * @return a working directory for tools run as the server's user: the directory itself, or its parent when this
     *         process cannot enter the directory (a process's working directory is entered before the launcher runs)
     * @since 0.6.0
     */
    public Path workingDirectory() {
        return creation == Creation.BY_SERVER_USER ? base : path;
    }

    /**
     * Whether files in the directory are reached through the server's launcher. Every file in it is written by the
     * server's user, who can run code during a drill (a restored {@code shared_preload_libraries}, {@code COPY ... TO
     * PROGRAM}) and so replace any of them with a link to a file only root may read, or a FIFO that never answers.
     * Only when the server runs as this process's own user is there nobody to guard against.
     */
    private boolean throughLauncher() {
        return creation != Creation.THIS_PROCESS;
    }

    /**
     * Appends text to a file in the directory, creating it if needed; a link in its place is refused.
     *
     * @param file a file in the directory
     * @param text what to append
     * @since 0.6.0
     */
    public void append(Path file, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (!throughLauncher()) {
            try {
                Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                        LinkOption.NOFOLLOW_LINKS);
                return;
            } catch (IOException e) {
                throw new PgVaultException(ErrorCode.REPOSITORY, "cannot append to " + file + ": " + e, e);
            }
        }
        writeAsServer(file, bytes, ">>");
    }

    /**
     * Replaces a file's text in the directory, creating it if needed; a link in its place is refused.
     *
     * @param file a file in the directory
     * @param text its new text
     * @since 0.6.0
     */
    public void replace(Path file, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (!throughLauncher()) {
            try {
                Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                return;
            } catch (IOException e) {
                throw new PgVaultException(ErrorCode.REPOSITORY, "cannot write " + file + ": " + e, e);
            }
        }
        writeAsServer(file, bytes, ">");
    }

    private void writeAsServer(Path file, byte[] bytes, String redirect) {
        ToolCommand cmd = ToolCommand.builder("sh", "/bin/sh").arg("-c", "umask 077 && [ ! -L \"$1\" ] && cat "
                + redirect + " \"$1\"", "sh", file.toString()).timeout(FILE_TIMEOUT).build();
        try (ToolProcess p = asServer.start(cmd)) {
            try (OutputStream in = p.stdin()) {
                in.write(bytes);
            } catch (IOException e) {
                // sh stopped reading: its exit code says why
            }
            p.stdout().readAllBytes();
            p.await();
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "cannot write " + file + ": " + e, e);
        }
    }

    /**
     * @param file a file in the directory
     * @return its size in bytes; 0 when it does not exist, is not a regular file (a link, a FIFO) or cannot be read
     * @since 0.6.0
     */
    public long size(Path file) {
        if (!throughLauncher()) {
            return regularFile(file).map(BasicFileAttributes::size).orElse(0L);
        }
        try {
            // stat without -L does not follow a link, and opens nothing
            String out = asServer.run(ToolCommand.builder("sh", "/bin/sh").arg("-c",
                    "if [ -f \"$1\" ] && [ ! -L \"$1\" ]; then stat -c %s -- \"$1\"; else echo 0; fi", "sh",
                    file.toString()).timeout(READ_TIMEOUT).build()).stdout().strip();
            return Long.parseLong(out);
        } catch (PgVaultException | NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Reads a file's text from an offset, keeping at most its last {@code max} bytes (for log tails); at most
     * {@code max} bytes are read whatever the file's size. A link or anything but a regular file reads as empty.
     *
     * @param file   a file in the directory
     * @param offset the first byte to read
     * @param max    the most bytes to return, the last ones
     * @return the text; empty when the file does not exist
     * @throws PgVaultException when it exists and cannot be read
     * @since 0.6.0
     */
    public String read(Path file, long offset, int max) {
        if (!throughLauncher()) {
            Optional<BasicFileAttributes> attrs = regularFile(file);
            if (attrs.isEmpty()) {
                return "";
            }
            try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ,
                    LinkOption.NOFOLLOW_LINKS)) {
                long size = ch.size();
                long from = Math.max(Math.min(offset, size), size - max);
                ByteBuffer buf = ByteBuffer.allocate((int) Math.min(max, size - from));
                ch.position(from);
                while (buf.hasRemaining() && ch.read(buf) >= 0) {
                    // until full or at the end
                }
                return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new PgVaultException(ErrorCode.REPOSITORY, "cannot read " + file + ": " + e, e);
            }
        }
        // tail -c +N seeks in a regular file; head -c caps what is read whatever the file grows to meanwhile
        return asServer.run(ToolCommand.builder("sh", "/bin/sh").arg("-c",
                "[ -f \"$1\" ] && [ ! -L \"$1\" ] || exit 0; size=$(stat -c %s -- \"$1\") || exit 1;"
                        + " from=$((size - $3)); [ \"$from\" -lt \"$2\" ] && from=$2;"
                        + " tail -c \"+$((from + 1))\" -- \"$1\" | head -c \"$3\"",
                "sh", file.toString(), Long.toString(offset), Integer.toString(max))
                .timeout(READ_TIMEOUT).build()).stdout();
    }

    /**
     * @param file a file in the directory
     * @return its first line (of its first 4 KiB), if it is a regular file and can be read
     * @since 0.6.0
     */
    public Optional<String> firstLine(Path file) {
        try {
            String text = !throughLauncher() ? read(file, 0, 4096)
                    : asServer.run(ToolCommand.builder("sh", "/bin/sh").arg("-c",
                            "[ -f \"$1\" ] && [ ! -L \"$1\" ] || exit 0; head -c 4096 -- \"$1\"", "sh",
                            file.toString()).timeout(READ_TIMEOUT).build()).stdout();
            String line = text.lines().findFirst().orElse("").strip();
            return line.isEmpty() ? Optional.empty() : Optional.of(line);
        } catch (PgVaultException e) {
            return Optional.empty();
        }
    }

    /** @return the file's attributes when it is a regular file (not followed if a link) */
    private static Optional<BasicFileAttributes> regularFile(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? Optional.of(a) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Removes the directory and everything in it; links are removed, not followed. Does nothing when it is gone. When
     * this process is root ({@link Creation#HANDED_OVER}), the contents are removed as the server's user through its
     * launcher and this process only removes the emptied directory itself: it never walks a tree that user can change.
     *
     * @throws PgVaultException when something is left
     * @since 0.6.0
     */
    public void delete() {
        deleteTree(path);
    }

    /**
     * Removes a tree the server's user wrote, e.g. a data directory outside this directory, the same way as
     * {@link #delete()}.
     *
     * @param tree the tree
     * @throws PgVaultException when something is left
     * @since 0.6.0
     */
    public void deleteTree(Path tree) {
        switch (creation) {
            case THIS_PROCESS -> deleteHere(tree);
            case BY_SERVER_USER -> asServer.run(ToolCommand.builder("rm", "rm").arg("-rf", "--", tree.toString())
                    .timeout(Duration.ofMinutes(10)).build());
            case HANDED_OVER -> {
                // root never walks a tree the server's user can change under it: a directory swapped for a link
                // between two steps of the walk would make root delete (or chmod) whatever the link points at.
                // The server's user empties it (rm does not follow links, and can only remove what that user may);
                // root then removes the empty top directory, which rmdir cannot follow either.
                emptyAsServer(tree);
                removeEmptyTop(tree);
            }
            default -> throw new IllegalStateException(creation.toString());
        }
    }

    private void emptyAsServer(Path tree) {
        // chmod -R skips links met on the way; it lets the owner empty directories a tool left 0500
        asServer.run(ToolCommand.builder("sh", "/bin/sh").arg("-c",
                "[ -d \"$1\" ] && [ ! -L \"$1\" ] || exit 0; chmod -R u+rwx -- \"$1\" 2>/dev/null;"
                        + " find \"$1\" -mindepth 1 -maxdepth 1 -exec rm -rf -- {} +",
                "sh", tree.toString()).timeout(Duration.ofMinutes(10)).build());
    }

    /** Removes {@code tree} itself, without following a link, and only when it is still the directory made here. */
    private void removeEmptyTop(Path tree) {
        try {
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(tree, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (java.nio.file.NoSuchFileException e) {
                return;
            }
            if (!attrs.isDirectory() || tree.equals(path) && !Objects.equals(attrs.fileKey(), fileKey)) {
                throw new PgVaultException(ErrorCode.REPOSITORY, "cannot remove " + tree + ": it is no longer the"
                        + " directory pgvault made (replaced by " + (attrs.isSymbolicLink() ? "a link" : "another file")
                        + "); left in place");
            }
            Files.delete(tree); // rmdir: fails on a non-empty directory, never follows a link
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "cannot remove " + tree + ": " + e, e);
        }
    }

    /** This process's own tree, written by a server running as this process's user: no one else to guard against. */
    private static void deleteHere(Path tree) {
        if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(tree, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    try {
                        // trees a tool left read-only (0500 directories) can still be emptied by their owner
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
            throw new PgVaultException(ErrorCode.REPOSITORY, "cannot remove " + tree + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
