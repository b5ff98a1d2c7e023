package io.pgvault.storage.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Creates files and directories with the configured POSIX permissions, whatever the process umask. */
final class Permissions {
    private final boolean posix;
    private final Set<PosixFilePermission> files;
    private final Set<PosixFilePermission> directories;

    Permissions(Path root, Set<PosixFilePermission> files, Set<PosixFilePermission> directories) {
        // Permissions are silently not applied on file systems without them (FAT, SMB without unix extensions).
        this.posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
        this.files = files;
        this.directories = directories;
    }

    /** Creates an empty file named {@code prefix} + a random suffix in {@code directory}. */
    Path createTemporaryFile(Path directory, String prefix) throws IOException {
        if (!posix) {
            return Files.createTempFile(directory, prefix, "");
        }
        Path file = Files.createTempFile(directory, prefix, "", PosixFilePermissions.asFileAttribute(files));
        Files.setPosixFilePermissions(file, files);
        return file;
    }

    void createDirectory(Path directory) throws IOException {
        if (!posix) {
            Files.createDirectory(directory);
            return;
        }
        Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(directories));
        Files.setPosixFilePermissions(directory, directories);
    }

    void createDirectories(Path directory) throws IOException {
        if (!posix) {
            Files.createDirectories(directory);
            return;
        }
        Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(directories));
        Files.setPosixFilePermissions(directory, directories);
    }
}
