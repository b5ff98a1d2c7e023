package io.pgvault.storage.local;

import io.pgvault.api.ConfigurationException;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Settings of a {@link LocalRepository}. Immutable; validated when built, reporting every problem at once.
 * <pre>{@code
 * LocalRepository repository = LocalRepository.of(LocalRepositoryConfig.builder(Path.of("/var/backups/pg"))
 *         .directoryPermissions(PosixFilePermissions.fromString("rwxr-x---"))
 *         .build());
 * }</pre>
 *
 * @param root                   the directory holding the objects; absolute and normalized
 * @param filePermissions        permissions of object files, on POSIX file systems
 * @param directoryPermissions   permissions of the directories the repository creates, on POSIX file systems
 * @param createRoot             whether a missing root is created
 * @param checksumStorage        where each object's SHA-256 is kept
 * @param cleanUpOnStart         whether leftovers of interrupted puts are removed when the repository is opened
 * @param staleTemporaryFileAge  how old a temporary file must be before {@code cleanUpOnStart} treats it as a leftover
 * @since 0.1.0
 */
public record LocalRepositoryConfig(
        Path root,
        Set<PosixFilePermission> filePermissions,
        Set<PosixFilePermission> directoryPermissions,
        boolean createRoot,
        ChecksumStorage checksumStorage,
        boolean cleanUpOnStart,
        Duration staleTemporaryFileAge) {

    /**
     * {@code rw-------}: backups hold whole databases.
     *
     * @since 0.1.0
     */
    public static final Set<PosixFilePermission> DEFAULT_FILE_PERMISSIONS =
            Set.copyOf(PosixFilePermissions.fromString("rw-------"));
    /**
     * {@code rwx------}.
     *
     * @since 0.1.0
     */
    public static final Set<PosixFilePermission> DEFAULT_DIRECTORY_PERMISSIONS =
            Set.copyOf(PosixFilePermissions.fromString("rwx------"));
    /**
     * One day: far longer than any put leaves its temporary file untouched.
     *
     * @since 0.1.0
     */
    public static final Duration DEFAULT_STALE_TEMPORARY_FILE_AGE = Duration.ofDays(1);

    /**
     * Validates every setting and reports all problems in one {@link ConfigurationException}; prefer
     * {@link #builder(Path)}.
     *
     * @throws ConfigurationException listing every invalid setting
     * @since 0.1.0
     */
    public LocalRepositoryConfig {
        List<String> problems = new ArrayList<>();
        if (root == null) {
            problems.add("root is required");
        } else {
            root = root.toAbsolutePath().normalize();
        }
        filePermissions = checkPermissions("filePermissions", filePermissions, "rw-------", problems);
        directoryPermissions = checkPermissions("directoryPermissions", directoryPermissions, "rwx------", problems);
        if (checksumStorage == null) {
            problems.add("checksumStorage is required");
        }
        if (staleTemporaryFileAge == null || staleTemporaryFileAge.isNegative()) {
            problems.add("staleTemporaryFileAge must be zero or positive, was " + staleTemporaryFileAge);
        }
        ConfigurationException.throwIfAny(problems);
    }

    /**
     * @param root the directory holding the objects
     * @return a builder with every other setting at its default
     * @since 0.1.0
     */
    public static Builder builder(Path root) {
        return new Builder().root(root);
    }

    /**
     * @return a builder holding these settings
     * @since 0.1.0
     */
    public Builder toBuilder() {
        return new Builder().root(root)
                .filePermissions(filePermissions)
                .directoryPermissions(directoryPermissions)
                .createRoot(createRoot)
                .checksumStorage(checksumStorage)
                .cleanUpOnStart(cleanUpOnStart)
                .staleTemporaryFileAge(staleTemporaryFileAge);
    }

    private static Set<PosixFilePermission> checkPermissions(
            String name, Set<PosixFilePermission> permissions, String minimum, List<String> problems) {
        if (permissions == null) {
            problems.add(name + " is required");
            return null;
        }
        Set<PosixFilePermission> required = PosixFilePermissions.fromString(minimum);
        if (!permissions.containsAll(required)) {
            problems.add(name + " must include " + minimum + " (the repository reads what it writes), was "
                    + PosixFilePermissions.toString(permissions));
        }
        return Set.copyOf(permissions);
    }

    /**
     * Builds a {@link LocalRepositoryConfig}; each setter documents its default.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private Path root;
        private Set<PosixFilePermission> filePermissions = DEFAULT_FILE_PERMISSIONS;
        private Set<PosixFilePermission> directoryPermissions = DEFAULT_DIRECTORY_PERMISSIONS;
        private boolean createRoot = true;
        private ChecksumStorage checksumStorage = ChecksumStorage.AUTO;
        private boolean cleanUpOnStart = true;
        private Duration staleTemporaryFileAge = DEFAULT_STALE_TEMPORARY_FILE_AGE;

        private Builder() {
        }

        /**
         * @param root the directory holding the objects; required. Use a directory of its own, not a mount point
         *             (whose {@code lost+found} would show up in listings)
         * @return this builder
         * @since 0.1.0
         */
        public Builder root(Path root) {
            this.root = root;
            return this;
        }

        /**
         * @param permissions permissions of object files on POSIX file systems, set regardless of the umask; must
         *                    include {@code rw-------}. Default {@code rw-------}
         * @return this builder
         * @since 0.1.0
         */
        public Builder filePermissions(Set<PosixFilePermission> permissions) {
            this.filePermissions = permissions;
            return this;
        }

        /**
         * @param permissions permissions of directories the repository creates (the root included, when it creates
         *                    it) on POSIX file systems; must include {@code rwx------}. Default {@code rwx------}
         * @return this builder
         * @since 0.1.0
         */
        public Builder directoryPermissions(Set<PosixFilePermission> permissions) {
            this.directoryPermissions = permissions;
            return this;
        }

        /**
         * @param createRoot whether a missing root directory is created, with its missing parents. Default
         *                   {@code true}
         * @return this builder
         * @since 0.1.0
         */
        public Builder createRoot(boolean createRoot) {
            this.createRoot = createRoot;
            return this;
        }

        /**
         * @param storage where each object's SHA-256 is kept. Default {@link ChecksumStorage#AUTO}
         * @return this builder
         * @since 0.1.0
         */
        public Builder checksumStorage(ChecksumStorage storage) {
            this.checksumStorage = storage;
            return this;
        }

        /**
         * @param cleanUpOnStart whether opening the repository removes temporary files of interrupted puts older
         *                       than {@link #staleTemporaryFileAge(Duration)}. Default {@code true}
         * @return this builder
         * @since 0.1.0
         */
        public Builder cleanUpOnStart(boolean cleanUpOnStart) {
            this.cleanUpOnStart = cleanUpOnStart;
            return this;
        }

        /**
         * @param age how long a temporary file must have gone unmodified before it counts as the leftover of a crash;
         *            a put in progress keeps modifying its file. Default one day
         * @return this builder
         * @since 0.1.0
         */
        public Builder staleTemporaryFileAge(Duration age) {
            this.staleTemporaryFileAge = age;
            return this;
        }

        /**
         * @return the settings
         * @throws ConfigurationException listing every invalid setting
         * @since 0.1.0
         */
        public LocalRepositoryConfig build() {
            return new LocalRepositoryConfig(root, filePermissions, directoryPermissions, createRoot, checksumStorage,
                    cleanUpOnStart, staleTemporaryFileAge);
        }
    }
}
