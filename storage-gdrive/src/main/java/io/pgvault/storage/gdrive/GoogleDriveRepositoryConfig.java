package io.pgvault.storage.gdrive;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.InvalidKeyException;
import io.pgvault.spi.ObjectKeys;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@link GoogleDriveRepository}. Immutable; validated when built, reporting every problem at once.
 * Holds no secret in clear, so {@code toString()} is safe to log.
 * <pre>{@code
 * GoogleDriveRepository repository = GoogleDriveRepository.of(GoogleDriveRepositoryConfig
 *         .builder(DriveCredentials.serviceAccount(Secret.fromEnv("GDRIVE_KEY").orElseThrow()))
 *         .sharedDrive("0ABcdEfGhIjKlUk9PVA")
 *         .folder("pgvault/prod")
 *         .build());
 * }</pre>
 *
 * @param credentials     how to sign in
 * @param rootFolderId    the folder under which {@code folder} lives: {@code root} (My Drive) or a folder id; when
 *                        {@code sharedDriveId} is set, the shared drive's id
 * @param sharedDriveId   the shared drive holding the repository, if any
 * @param folder          {@code /}-separated folder path under the root ({@code ""}: the root itself)
 * @param createFolders   whether missing folders of {@code folder} are created when the repository is opened
 * @param rootUrl         the Drive API's root URL, ending with {@code /}
 * @param chunkSize       bytes per resumable-upload chunk, a multiple of 256 KiB; a put buffers two chunks (one
 *                        filling, one sending)
 * @param deleteMode      what deleting (or replacing) an object does with its file
 * @param maxAttempts     attempts per request or chunk, the first included, for rate limits, 5xx and network errors;
 *                        an upload chunk refused with rate limits is retried for at least 100 seconds, more attempts
 *                        if need be (a per-minute quota clears within that), before it is taken for the daily limit
 * @param backoffBase     base delay of the jittered exponential backoff
 * @param backoffMax      longest delay between attempts
 * @param connectTimeout  time allowed to open a connection
 * @param readTimeout     longest wait for data on an open connection
 * @param applicationName sent in the {@code User-Agent}
 * @param uploadLimitPerDay Drive's daily upload limit for the account, in bytes: a rate-limit answer to an upload once
 *                        this repository has sent 90% of it within 24 hours is taken as the limit at once
 *                        ({@link GoogleDriveRepositoryException.Reason#UPLOAD_LIMIT_EXCEEDED}) instead of being
 *                        retried; since 0.6.0
 * @since 0.1.0
 */
public record GoogleDriveRepositoryConfig(
        DriveCredentials credentials,
        String rootFolderId,
        Optional<String> sharedDriveId,
        String folder,
        boolean createFolders,
        URI rootUrl,
        int chunkSize,
        DeleteMode deleteMode,
        int maxAttempts,
        Duration backoffBase,
        Duration backoffMax,
        Duration connectTimeout,
        Duration readTimeout,
        String applicationName,
        long uploadLimitPerDay) {

    /**
     * Granularity of resumable-upload chunks Drive requires: 256 KiB.
     *
     * @since 0.1.0
     */
    public static final int CHUNK_GRANULARITY = 256 * 1024;
    /**
     * Default chunk size: 8 MiB (what a put holds in memory).
     *
     * @since 0.1.0
     */
    public static final int DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;
    /**
     * Largest chunk size accepted: 512 MiB.
     *
     * @since 0.1.0
     */
    public static final int MAX_CHUNK_SIZE = 512 * 1024 * 1024;
    /**
     * Drive's daily upload limit per user: 750 GB (decimal), as Google documents it.
     *
     * @since 0.6.0
     */
    public static final long DEFAULT_UPLOAD_LIMIT_PER_DAY = 750_000_000_000L;
    /**
     * The public Drive API's root URL.
     *
     * @since 0.1.0
     */
    public static final URI DEFAULT_ROOT_URL = URI.create("https://www.googleapis.com/");

    /**
     * Validates every setting and reports all problems in one {@link ConfigurationException}; prefer
     * {@link #builder(DriveCredentials)}.
     *
     * @throws ConfigurationException listing every invalid setting
     * @since 0.1.0
     */
    public GoogleDriveRepositoryConfig {
        List<String> problems = new ArrayList<>();
        if (credentials == null) {
            problems.add("credentials are required");
        }
        sharedDriveId = sharedDriveId == null ? Optional.empty() : sharedDriveId;
        if (sharedDriveId.isPresent()) {
            if (!isId(sharedDriveId.get())) {
                problems.add("sharedDriveId must be a Drive id (letters, digits, '-' and '_'), was "
                        + quoted(sharedDriveId.get()));
            }
            if (rootFolderId != null && !rootFolderId.equals("root") && !rootFolderId.equals(sharedDriveId.get())) {
                problems.add("set either rootFolderId or sharedDriveId, not both");
            }
            rootFolderId = sharedDriveId.get();
        } else if (rootFolderId == null || !(rootFolderId.equals("root") || isId(rootFolderId))) {
            problems.add("rootFolderId must be 'root' or a Drive folder id, was " + quoted(rootFolderId));
        }
        folder = normalizeFolder(folder, problems);
        if (rootUrl == null || rootUrl.getScheme() == null || rootUrl.getHost() == null
                || !(rootUrl.getScheme().equals("https") || rootUrl.getScheme().equals("http"))) {
            problems.add("rootUrl must be an http(s) URL, was " + rootUrl);
        } else if (!rootUrl.toString().endsWith("/")) {
            rootUrl = URI.create(rootUrl + "/");
        }
        if (chunkSize < CHUNK_GRANULARITY || chunkSize > MAX_CHUNK_SIZE || chunkSize % CHUNK_GRANULARITY != 0) {
            problems.add("chunkSize must be a multiple of 256 KiB (262144) between 256 KiB and 512 MiB, was "
                    + chunkSize);
        }
        if (deleteMode == null) {
            problems.add("deleteMode is required");
        }
        if (maxAttempts < 1 || maxAttempts > 100) {
            problems.add("maxAttempts must be 1 to 100, was " + maxAttempts);
        }
        checkPositive("backoffBase", backoffBase, problems);
        checkPositive("backoffMax", backoffMax, problems);
        checkPositive("connectTimeout", connectTimeout, problems);
        checkPositive("readTimeout", readTimeout, problems);
        if (applicationName == null || applicationName.isBlank()) {
            problems.add("applicationName must not be blank");
        }
        if (uploadLimitPerDay <= 0) {
            problems.add("uploadLimitPerDay must be positive, was " + uploadLimitPerDay);
        }
        ConfigurationException.throwIfAny(problems);
    }

    /**
     * @param credentials how to sign in
     * @return a builder with every default set
     * @since 0.1.0
     */
    public static Builder builder(DriveCredentials credentials) {
        return new Builder().credentials(credentials);
    }

    /**
     * @return a builder holding these settings
     * @since 0.1.0
     */
    public Builder toBuilder() {
        Builder builder = builder(credentials).folder(folder).createFolders(createFolders).rootUrl(rootUrl)
                .chunkSize(chunkSize).deleteMode(deleteMode).maxAttempts(maxAttempts)
                .backoff(backoffBase, backoffMax).connectTimeout(connectTimeout).readTimeout(readTimeout)
                .applicationName(applicationName).uploadLimitPerDay(uploadLimitPerDay);
        return sharedDriveId.map(builder::sharedDrive).orElseGet(() -> builder.rootFolderId(rootFolderId));
    }

    /**
     * @return a stable, secret-free identifier, e.g. {@code gdrive:root/pgvault/prod} or
     *         {@code gdrive:shared-drive=0AB.../pgvault}, with the API root when it is not Google's
     * @since 0.1.0
     */
    public String id() {
        String base = "gdrive:" + sharedDriveId.map(d -> "shared-drive=" + d).orElse(rootFolderId)
                + (folder.isEmpty() ? "" : "/" + folder);
        return rootUrl.equals(DEFAULT_ROOT_URL) ? base : base + " at " + rootUrl;
    }

    private static boolean isId(String id) {
        return id != null && id.matches("[A-Za-z0-9_-]{1,200}");
    }

    private static String normalizeFolder(String folder, List<String> problems) {
        if (folder == null || folder.isEmpty() || folder.equals("/")) {
            return "";
        }
        String body = folder.endsWith("/") ? folder.substring(0, folder.length() - 1) : folder;
        try {
            ObjectKeys.validate(body);
        } catch (InvalidKeyException e) {
            problems.add("folder " + quoted(folder) + " is not a safe folder path: " + e.getMessage());
        }
        return body;
    }

    private static void checkPositive(String name, Duration value, List<String> problems) {
        if (value == null || value.isNegative() || value.isZero()) {
            problems.add(name + " must be positive, was " + value);
        }
    }

    private static String quoted(String s) {
        return s == null ? "null" : "'" + s + "'";
    }

    /**
     * Builds a {@link GoogleDriveRepositoryConfig}; each setter documents its default.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private DriveCredentials credentials;
        private String rootFolderId = "root";
        private String sharedDriveId;
        private String folder = "";
        private boolean createFolders = true;
        private URI rootUrl = DEFAULT_ROOT_URL;
        private int chunkSize = DEFAULT_CHUNK_SIZE;
        private DeleteMode deleteMode = DeleteMode.PERMANENT;
        private int maxAttempts = 8;
        private Duration backoffBase = Duration.ofMillis(500);
        private Duration backoffMax = Duration.ofSeconds(32);
        private Duration connectTimeout = Duration.ofSeconds(20);
        private Duration readTimeout = Duration.ofSeconds(120);
        private String applicationName = "pgvault";
        private long uploadLimitPerDay = DEFAULT_UPLOAD_LIMIT_PER_DAY;

        private Builder() {
        }

        /**
         * @param credentials how to sign in; required
         * @return this builder
         * @since 0.1.0
         */
        public Builder credentials(DriveCredentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /**
         * @param id {@code root} (My Drive) or the id of a folder the credentials may write. Default {@code root}
         * @return this builder
         * @since 0.1.0
         */
        public Builder rootFolderId(String id) {
            this.rootFolderId = id;
            return this;
        }

        /**
         * @param driveId the id of a shared drive the credentials are a member of; the folder path starts at its
         *                root. Default none (My Drive or {@link #rootFolderId(String)})
         * @return this builder
         * @since 0.1.0
         */
        public Builder sharedDrive(String driveId) {
            this.sharedDriveId = driveId;
            return this;
        }

        /**
         * @param path {@code /}-separated folders under the root, e.g. {@code pgvault/prod}. Default {@code ""}
         * @return this builder
         * @since 0.1.0
         */
        public Builder folder(String path) {
            this.folder = path;
            return this;
        }

        /**
         * @param create whether opening the repository creates missing folders of the path. Default {@code true}
         * @return this builder
         * @since 0.1.0
         */
        public Builder createFolders(boolean create) {
            this.createFolders = create;
            return this;
        }

        /**
         * @param url root URL of the Drive API (a proxy, or a test double). Default {@code https://www.googleapis.com/}
         * @return this builder
         * @since 0.1.0
         */
        public Builder rootUrl(URI url) {
            this.rootUrl = url;
            return this;
        }

        /**
         * @param bytes bytes per upload chunk, a multiple of 256 KiB; a put holds two chunks in memory (one
         *              filling, one sending). Default 8 MiB
         * @return this builder
         * @since 0.1.0
         */
        public Builder chunkSize(int bytes) {
            this.chunkSize = bytes;
            return this;
        }

        /**
         * @param mode delete permanently or move to the trash. Default {@link DeleteMode#PERMANENT}
         * @return this builder
         * @since 0.1.0
         */
        public Builder deleteMode(DeleteMode mode) {
            this.deleteMode = mode;
            return this;
        }

        /**
         * @param attempts attempts per request or chunk, the first included; a rate-limited upload chunk is retried
         *                 for at least 100 seconds however many attempts that takes. Default 8
         * @return this builder
         * @since 0.1.0
         */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * @param base base delay of the jittered exponential backoff. Default 500 ms
         * @param max  longest delay. Default 32 s
         * @return this builder
         * @since 0.1.0
         */
        public Builder backoff(Duration base, Duration max) {
            this.backoffBase = base;
            this.backoffMax = max;
            return this;
        }

        /**
         * @param timeout time allowed to open a connection. Default 20 s
         * @return this builder
         * @since 0.1.0
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * @param timeout longest wait for data on an open connection. Default 120 s
         * @return this builder
         * @since 0.1.0
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        /**
         * @param name application name sent in the {@code User-Agent}. Default {@code pgvault}
         * @return this builder
         * @since 0.1.0
         */
        public Builder applicationName(String name) {
            this.applicationName = name;
            return this;
        }

        /**
         * @param bytes the account's daily upload limit. Drive reports the limit only as a rate limit; once this
         *              repository has uploaded 90% of it within 24 hours, a rate-limit answer to an upload fails the
         *              put at once with {@link GoogleDriveRepositoryException.Reason#UPLOAD_LIMIT_EXCEEDED}. Lower it
         *              when other programs upload with the same account. Default 750 GB
         *              ({@link #DEFAULT_UPLOAD_LIMIT_PER_DAY})
         * @return this builder
         * @since 0.6.0
         */
        public Builder uploadLimitPerDay(long bytes) {
            this.uploadLimitPerDay = bytes;
            return this;
        }

        /**
         * @return the settings
         * @throws ConfigurationException listing every invalid setting
         * @since 0.1.0
         */
        public GoogleDriveRepositoryConfig build() {
            return new GoogleDriveRepositoryConfig(credentials, rootFolderId, Optional.ofNullable(sharedDriveId),
                    folder, createFolders, rootUrl, chunkSize, deleteMode, maxAttempts, backoffBase, backoffMax,
                    connectTimeout, readTimeout, applicationName, uploadLimitPerDay);
        }
    }
}
