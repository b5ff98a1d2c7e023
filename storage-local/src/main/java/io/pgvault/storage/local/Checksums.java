package io.pgvault.storage.local;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps each object's SHA-256 where {@link ChecksumStorage} says. A recorded digest is reported only while the
 * object still has the size and modification time (and, for sidecars, the file identity) it was recorded for, so a
 * stale record is never passed off as the digest of other bytes: an attribute belongs to the inode and survives an
 * in-place rewrite, which changes the modification time. Attributes written before 0.3.0 (digest and size only)
 * are ignored. What remains possible is a rewrite that restores the old modification time on purpose.
 */
final class Checksums {
    /** Name of the extended attribute; Linux stores it as {@code user.pgvault.sha256}. */
    static final String ATTRIBUTE = "pgvault.sha256";
    /** Sidecar of {@code NAME}: {@code .pgvault-sha256.NAME}, hidden like every file starting with a dot. */
    static final String SIDECAR_PREFIX = ".pgvault-sha256.";

    private static final Logger LOG = LoggerFactory.getLogger(Checksums.class);
    /** Digest, size and modification time: an in-place rewrite with bytes of the same size changes the last. */
    private static final Pattern ATTRIBUTE_VALUE = Pattern.compile("([0-9a-f]{64}) (\\d+) (\\S+)");
    private static final Pattern SIDECAR_LINE = Pattern.compile("([0-9a-f]{64}) (\\d+) (\\S+) (\\S+)\n?");

    private final ChecksumStorage storage;
    private final Permissions permissions;

    Checksums(ChecksumStorage storage, Permissions permissions) {
        this.storage = storage;
        this.permissions = permissions;
    }

    /**
     * Records the digest of a complete temporary file that is about to be renamed to {@code target}: as an attribute
     * of the file itself, or as a durable sidecar of {@code target}. Call after the last write.
     */
    void record(Path temporary, Path target, String sha256, long size) throws IOException {
        if (storage != ChecksumStorage.SIDECAR_FILE) {
            try {
                writeAttribute(temporary, sha256 + " " + size + " "
                        + Files.getLastModifiedTime(temporary).toInstant());
                return;
            } catch (IOException | UnsupportedOperationException e) {
                if (storage == ChecksumStorage.EXTENDED_ATTRIBUTE) {
                    throw new IOException("cannot set the extended attribute user." + ATTRIBUTE + ": " + e, e);
                }
                LOG.debug("no extended attribute on {} ({}); using a sidecar file", temporary, e.toString());
            }
        }
        writeSidecar(temporary, target, sha256, size);
    }

    /** @return the recorded digest of {@code file}, if there is one and it still matches the file */
    Optional<String> read(Path file, BasicFileAttributes attributes) {
        if (storage != ChecksumStorage.SIDECAR_FILE) {
            Optional<String> recorded = readAttribute(file, attributes);
            if (recorded.isPresent() || storage == ChecksumStorage.EXTENDED_ATTRIBUTE) {
                return recorded;
            }
        }
        return readSidecar(file, attributes);
    }

    /** Deletes the sidecar of a deleted object, if there may be one. */
    void forget(Path file) throws IOException {
        if (storage != ChecksumStorage.EXTENDED_ATTRIBUTE) {
            Files.deleteIfExists(sidecarOf(file));
        }
    }

    static Path sidecarOf(Path file) {
        return file.resolveSibling(SIDECAR_PREFIX + file.getFileName());
    }

    private static void writeAttribute(Path file, String value) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        if (view == null) {
            throw new UnsupportedOperationException("the file system has no user-defined attributes");
        }
        view.write(ATTRIBUTE, StandardCharsets.US_ASCII.encode(value));
    }

    private static Optional<String> readAttribute(Path file, BasicFileAttributes attributes) {
        try {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
            if (view == null) {
                return Optional.empty();
            }
            ByteBuffer buffer = ByteBuffer.allocate(128);
            view.read(ATTRIBUTE, buffer);
            Matcher value = ATTRIBUTE_VALUE.matcher(StandardCharsets.US_ASCII.decode(buffer.flip()));
            if (value.matches() && Long.parseLong(value.group(2)) == attributes.size()
                    && value.group(3).equals(attributes.lastModifiedTime().toInstant().toString())) {
                return Optional.of(value.group(1));
            }
        } catch (IOException | UnsupportedOperationException | NumberFormatException e) {
            // No attribute (ENODATA), or none possible here: the object simply has no recorded digest.
            LOG.trace("no checksum attribute on {}: {}", file, e.toString());
        }
        return Optional.empty();
    }

    private void writeSidecar(Path temporary, Path target, String sha256, long size) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(temporary, BasicFileAttributes.class);
        byte[] line = (sha256 + " " + size + " " + attributes.lastModifiedTime().toInstant() + " "
                + identity(attributes) + "\n").getBytes(StandardCharsets.US_ASCII);
        Path sidecar = permissions.createTemporaryFile(target.getParent(), TemporaryFiles.PREFIX);
        try {
            try (FileChannel channel = FileChannel.open(sidecar, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(sidecar, sidecarOf(target), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(sidecar);
        }
    }

    private static Optional<String> readSidecar(Path file, BasicFileAttributes attributes) {
        try {
            String content = Files.readString(sidecarOf(file), StandardCharsets.US_ASCII);
            Matcher line = SIDECAR_LINE.matcher(content);
            if (line.matches()
                    && Long.parseLong(line.group(2)) == attributes.size()
                    && line.group(3).equals(attributes.lastModifiedTime().toInstant().toString())
                    && line.group(4).equals(identity(attributes))) {
                return Optional.of(line.group(1));
            }
            LOG.debug("ignoring the sidecar of {}: it was recorded for other bytes", file);
        } catch (NoSuchFileException e) {
            LOG.trace("no sidecar for {}", file);
        } catch (IOException | NumberFormatException e) {
            LOG.debug("ignoring the unreadable sidecar of {}: {}", file, e.toString());
        }
        return Optional.empty();
    }

    /** @return the file's identity (device and inode on Unix), which a rename keeps and a copy changes */
    private static String identity(BasicFileAttributes attributes) {
        return Objects.toString(attributes.fileKey(), "-").replace(' ', '_');
    }
}
