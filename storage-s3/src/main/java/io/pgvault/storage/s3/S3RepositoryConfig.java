package io.pgvault.storage.s3;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.InvalidKeyException;
import io.pgvault.spi.ObjectKeys;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Settings of an {@link S3Repository}. Immutable; validated when built, reporting every problem at once. Holds no
 * secret in clear: static credentials keep their secret key as a {@link io.pgvault.api.Secret}, so {@code toString()}
 * is safe to log.
 * <pre>{@code
 * S3Repository repository = S3Repository.of(S3RepositoryConfig.builder("my-backups")
 *         .prefix("pg/prod/")
 *         .region("eu-central-1")
 *         .storageClass(S3StorageClass.STANDARD_IA)
 *         .encryption(S3Encryption.sseKms("alias/backups"))
 *         .build());
 * }</pre>
 * For an S3-compatible store (MinIO, Backblaze B2, Wasabi, Cloudflare R2) set {@link Builder#endpoint(URI)} and
 * usually {@link Builder#pathStyle(boolean)}. A store whose certificate is signed by a private CA (or self-signed) is
 * trusted with {@link Builder#caFile(Path)}:
 * <pre>{@code
 * S3RepositoryConfig.builder("backups")
 *         .endpoint(URI.create("https://minio.internal:9000")).pathStyle(true)
 *         .caFile(Path.of("/etc/pgvault/minio-ca.pem"))
 *         .build();
 * }</pre>
 * The TLS settings mean what pgBackRest's {@code repo-storage-ca-file} and {@code repo-storage-verify-tls} mean, so
 * that the pgBackRest backend can hand them on unchanged.
 *
 * @param bucket         the bucket
 * @param prefix         key prefix under the bucket, {@code ""} or ending with {@code /}
 * @param region         the AWS region (S3-compatible stores often accept any, e.g. {@code us-east-1})
 * @param endpoint       endpoint override for S3-compatible stores; empty for AWS
 * @param pathStyle      whether requests address the bucket in the path ({@code host/bucket/key}) rather than the host
 * @param credentials    where credentials come from
 * @param storageClass   storage class of the objects written
 * @param encryption     server-side encryption of the objects written
 * @param maxAttempts    attempts per request, the first included
 * @param backoffBase    base delay of the exponential backoff between attempts (with jitter)
 * @param backoffMax     longest delay between attempts
 * @param connectTimeout time allowed to open a connection
 * @param socketTimeout  longest wait for data on an open connection
 * @param attemptTimeout longest time one attempt of one request (e.g. a part upload) may take
 * @param partSize       bytes of the first parts of a multipart upload (they double every 500 parts, up to half the
 *                       upload memory); objects up to this size are sent in one request
 * @param partsInFlight  at most this many parts of one put buffered or uploading at once
 * @param uploadMemory   the most bytes of part buffers one put holds, whatever the object's size (default
 *                       {@code partSize × partsInFlight}: 32 MiB); it also bounds the part size, so the largest
 *                       object grows with it (see {@link #maxObjectSize()})
 * @param createBucket   whether a missing bucket is created when the repository is opened (for tests, quick starts)
 * @param caFile         PEM file of the certificates (CAs, or a self-signed server certificate) trusted for HTTPS
 *                       <em>instead of</em> the JVM's default trust store; empty: the JVM's default trust store.
 *                       Absolute once built
 * @param verifyTls      whether the server's certificate and host name are verified; {@code false} is for tests only
 * @param flexibleChecksums whether requests carry S3's flexible checksum headers ({@code x-amz-checksum-*}), as AWS
 *                       and current S3 servers expect; {@code false} for stores that answer them with 400 "Unsupported
 *                       header" (Backblaze B2 and other S3-compatible stores that lag AWS): then Content-MD5 guards each
 *                       request, and pgvault's own SHA-256 covers every object as always
 * @param growingParts   whether part sizes grow for long streams (default); {@code false} keeps every part at
 *                       {@code partSize}, as Cloudflare R2 requires (all parts but the last of one size)
 * @param archiveRetrieval whether, and how, a restore brings objects in an archive storage class (Glacier Flexible
 *                       Retrieval, Deep Archive) back before reading them ({@link S3Repository#prepareRead}); empty
 *                       (the default): it does not, and reading such an object fails with reason
 *                       {@link S3RepositoryException.Reason#ARCHIVED}
 * @since 0.1.0
 */
public record S3RepositoryConfig(
        String bucket,
        String prefix,
        String region,
        Optional<URI> endpoint,
        boolean pathStyle,
        S3Credentials credentials,
        S3StorageClass storageClass,
        S3Encryption encryption,
        int maxAttempts,
        Duration backoffBase,
        Duration backoffMax,
        Duration connectTimeout,
        Duration socketTimeout,
        Duration attemptTimeout,
        int partSize,
        int partsInFlight,
        boolean createBucket,
        Optional<Path> caFile,
        boolean verifyTls,
        boolean flexibleChecksums,
        long uploadMemory,
        boolean growingParts,
        Optional<ArchiveRetrieval> archiveRetrieval) {

    /**
     * Smallest part S3 accepts (every part but the last): 5 MiB.
     *
     * @since 0.1.0
     */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    /**
     * Largest part this repository buffers: 1 GiB.
     *
     * @since 0.1.0
     */
    public static final int MAX_PART_SIZE = 1024 * 1024 * 1024;
    /**
     * Most parts S3 accepts in one multipart upload; an object is at most {@code partSize × MAX_PARTS} bytes.
     *
     * @since 0.1.0
     */
    public static final int MAX_PARTS = 10_000;
    /**
     * Default (first) part size, 8 MiB.
     *
     * @since 0.1.0
     */
    public static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;
    /**
     * Default parts in flight, 4: with the default part size a put holds at most 32 MiB.
     *
     * @since 0.1.0
     */
    public static final int DEFAULT_PARTS_IN_FLIGHT = 4;

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]*");

    /**
     * Validates every setting and reports all problems in one {@link ConfigurationException}; prefer
     * {@link #builder(String)}.
     *
     * @throws ConfigurationException listing every invalid setting
     * @since 0.1.0
     */
    public S3RepositoryConfig {
        List<String> problems = new ArrayList<>();
        if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            problems.add("bucket must be 3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter "
                    + "or digit, was " + quoted(bucket));
        }
        prefix = normalizePrefix(prefix, problems);
        if (region == null || !REGION.matcher(region).matches()) {
            problems.add("region must be a region name like us-east-1, was " + quoted(region));
        }
        endpoint = endpoint == null ? Optional.empty() : endpoint;
        endpoint.ifPresent(uri -> {
            if (!uri.isAbsolute() || uri.getHost() == null
                    || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                problems.add("endpoint must be an absolute http or https URI with a host, was " + uri);
            }
        });
        if (credentials == null) {
            problems.add("credentials are required");
        }
        if (storageClass == null) {
            problems.add("storageClass is required");
        }
        if (encryption == null) {
            problems.add("encryption is required (S3Encryption.NONE for none)");
        }
        if (maxAttempts < 1 || maxAttempts > 100) {
            problems.add("maxAttempts must be between 1 and 100, was " + maxAttempts);
        }
        checkPositive("backoffBase", backoffBase, problems);
        checkPositive("backoffMax", backoffMax, problems);
        if (backoffBase != null && backoffMax != null && backoffMax.compareTo(backoffBase) < 0) {
            problems.add("backoffMax must not be shorter than backoffBase, was " + backoffMax + " < " + backoffBase);
        }
        checkPositive("connectTimeout", connectTimeout, problems);
        checkPositive("socketTimeout", socketTimeout, problems);
        checkPositive("attemptTimeout", attemptTimeout, problems);
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            problems.add("partSize must be between " + MIN_PART_SIZE + " (5 MiB, the S3 minimum) and " + MAX_PART_SIZE
                    + " bytes, was " + partSize);
        }
        boolean partSizeValid = partSize >= MIN_PART_SIZE && partSize <= MAX_PART_SIZE;
        if (partSizeValid && (uploadMemory < partSize || uploadMemory > 64L * 1024 * 1024 * 1024)) {
            problems.add("uploadMemory must be at least partSize (" + partSize + ") and at most 64 GiB, was "
                    + uploadMemory);
        }
        if (partsInFlight < 1 || partsInFlight > 64) {
            problems.add("partsInFlight must be between 1 and 64, was " + partsInFlight);
        }
        caFile = caFile == null ? Optional.empty() : caFile.map(path -> path.toAbsolutePath().normalize());
        archiveRetrieval = archiveRetrieval == null ? Optional.empty() : archiveRetrieval;
        checkTls(endpoint, caFile, verifyTls, problems);
        ConfigurationException.throwIfAny(problems);
    }

    /**
     * @param bucket the bucket
     * @return a builder with every other setting at its default
     * @since 0.1.0
     */
    public static Builder builder(String bucket) {
        return new Builder().bucket(bucket);
    }

    /**
     * @return a builder holding these settings
     * @since 0.1.0
     */
    public Builder toBuilder() {
        Builder b = new Builder().bucket(bucket).prefix(prefix).region(region).pathStyle(pathStyle)
                .credentials(credentials).storageClass(storageClass).encryption(encryption)
                .maxAttempts(maxAttempts).backoff(backoffBase, backoffMax).connectTimeout(connectTimeout)
                .socketTimeout(socketTimeout).attemptTimeout(attemptTimeout).partSize(partSize)
                .partsInFlight(partsInFlight).createBucket(createBucket).verifyTls(verifyTls)
                .flexibleChecksums(flexibleChecksums).growingParts(growingParts);
        if (uploadMemory != (long) partSize * partsInFlight) {
            b.uploadMemory(uploadMemory); // set, not derived: a derived one follows partSize and partsInFlight
        }
        endpoint.ifPresent(b::endpoint);
        caFile.ifPresent(b::caFile);
        archiveRetrieval.ifPresent(b::archiveRetrieval);
        return b;
    }

    /**
     * @return {@code s3://bucket/prefix}, without a trailing {@code /}; with the endpoint's host and port for
     *         S3-compatible stores, e.g. {@code s3://backups/pg@minio.local:9000}
     * @since 0.1.0
     */
    public String id() {
        String location = "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix.substring(0, prefix.length() - 1));
        return endpoint.map(uri -> location + "@" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()))
                .orElse(location);
    }

    /**
     * @return the largest object a put can store with these settings: 10,000 parts that start at {@code partSize}
     *         and double every 500 parts up to half of {@link #uploadMemory()} (at most 1 GiB): about 152 GiB with
     *         the defaults, S3's own limit of 5 TiB with 2 GiB of upload memory
     * @since 0.1.0
     */
    public long maxObjectSize() {
        return PartSchedule.of(this).maxObjectSize();
    }

    /**
     * @return the most bytes of part buffers one put holds: {@link #uploadMemory()}
     * @since 0.1.0
     */
    public long maxBufferedBytes() {
        return uploadMemory;
    }

    private static String normalizePrefix(String prefix, List<String> problems) {
        if (prefix == null || prefix.isEmpty() || prefix.equals("/")) {
            return "";
        }
        String body = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        try {
            ObjectKeys.validate(body);
        } catch (InvalidKeyException e) {
            problems.add("prefix " + quoted(prefix) + " is not a safe key prefix: " + e.getMessage());
            return prefix;
        }
        if (body.length() > 256) {
            problems.add("prefix must be at most 256 characters (keys under it may be " + ObjectKeys.MAX_LENGTH
                    + " more, S3 allows 1024), was " + body.length());
        }
        return body + "/";
    }

    private static void checkTls(Optional<URI> endpoint, Optional<Path> caFile, boolean verifyTls,
            List<String> problems) {
        boolean plainHttp = endpoint.map(uri -> "http".equals(uri.getScheme())).orElse(false);
        if (plainHttp && (caFile.isPresent() || !verifyTls)) {
            problems.add("caFile and verifyTls apply to https endpoints only, but the endpoint is "
                    + endpoint.get());
        }
        if (caFile.isPresent() && !verifyTls) {
            problems.add("caFile " + caFile.get() + " has no effect when verifyTls is false: set one or the other");
        }
        caFile.flatMap(CaCertificates::problem).ifPresent(problems::add);
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
     * Builds an {@link S3RepositoryConfig}; each setter documents its default.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private String bucket;
        private String prefix = "";
        private String region = "us-east-1";
        private URI endpoint;
        private boolean pathStyle;
        private S3Credentials credentials = S3Credentials.defaultChain();
        private S3StorageClass storageClass = S3StorageClass.STANDARD;
        private S3Encryption encryption = S3Encryption.NONE;
        private int maxAttempts = 5;
        private Duration backoffBase = Duration.ofMillis(200);
        private Duration backoffMax = Duration.ofSeconds(20);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration socketTimeout = Duration.ofSeconds(60);
        private Duration attemptTimeout = Duration.ofMinutes(10);
        private int partSize = DEFAULT_PART_SIZE;
        private int partsInFlight = DEFAULT_PARTS_IN_FLIGHT;
        private boolean createBucket;
        private Path caFile;
        private boolean verifyTls = true;
        private boolean flexibleChecksums = true;
        private boolean growingParts = true;
        private long uploadMemory = -1;
        private ArchiveRetrieval archiveRetrieval;

        private Builder() {
        }

        /**
         * @param bucket the bucket; required
         * @return this builder
         * @since 0.1.0
         */
        public Builder bucket(String bucket) {
            this.bucket = bucket;
            return this;
        }

        /**
         * @param prefix key prefix under the bucket, e.g. {@code pg/prod}; a trailing {@code /} is added. Default
         *               {@code ""} (the bucket's root)
         * @return this builder
         * @since 0.1.0
         */
        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        /**
         * @param region the AWS region. Default {@code us-east-1}
         * @return this builder
         * @since 0.1.0
         */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /**
         * @param endpoint endpoint of an S3-compatible store, e.g. {@code https://minio.local:9000}. Default none
         *                 (AWS's endpoint for the region)
         * @return this builder
         * @since 0.1.0
         */
        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /**
         * @param pathStyle whether to address the bucket in the path, as most S3-compatible stores need. Default
         *                  {@code false} (virtual-hosted style)
         * @return this builder
         * @since 0.1.0
         */
        public Builder pathStyle(boolean pathStyle) {
            this.pathStyle = pathStyle;
            return this;
        }

        /**
         * @param credentials where credentials come from. Default {@link S3Credentials#defaultChain()}
         * @return this builder
         * @since 0.1.0
         */
        public Builder credentials(S3Credentials credentials) {
            this.credentials = credentials;
            return this;
        }

        /**
         * @param storageClass storage class of the objects written. Default {@link S3StorageClass#STANDARD}
         * @return this builder
         * @since 0.1.0
         */
        public Builder storageClass(S3StorageClass storageClass) {
            this.storageClass = storageClass;
            return this;
        }

        /**
         * @param encryption server-side encryption of the objects written. Default {@link S3Encryption#NONE}
         * @return this builder
         * @since 0.1.0
         */
        public Builder encryption(S3Encryption encryption) {
            this.encryption = encryption;
            return this;
        }

        /**
         * @param maxAttempts attempts per request, the first included, for throttling, 5xx and network errors.
         *                    Default 5
         * @return this builder
         * @since 0.1.0
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * @param base base delay of the jittered exponential backoff. Default 200 ms
         * @param max  longest delay. Default 20 s
         * @return this builder
         * @since 0.1.0
         */
        public Builder backoff(Duration base, Duration max) {
            this.backoffBase = base;
            this.backoffMax = max;
            return this;
        }

        /**
         * @param timeout time allowed to open a connection. Default 10 s
         * @return this builder
         * @since 0.1.0
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * @param timeout longest wait for data on an open connection. Default 60 s
         * @return this builder
         * @since 0.1.0
         */
        public Builder socketTimeout(Duration timeout) {
            this.socketTimeout = timeout;
            return this;
        }

        /**
         * @param timeout longest time one attempt of one request may take, e.g. sending one part; catches stalled
         *                uploads. Default 10 min
         * @return this builder
         * @since 0.1.0
         */
        public Builder attemptTimeout(Duration timeout) {
            this.attemptTimeout = timeout;
            return this;
        }

        /**
         * @param bytes bytes per part, between 5 MiB and 1 GiB; objects up to this size go in one request. The
         *              largest object is {@code 10,000 ×} this. Default 16 MiB
         * @return this builder
         * @since 0.1.0
         */
        public Builder partSize(int bytes) {
            this.partSize = bytes;
            return this;
        }

        /**
         * @param parts parts of one put buffered or uploading at once, 1 to 64. Default 4
         * @return this builder
         * @since 0.1.0
         */
        public Builder partsInFlight(int parts) {
            this.partsInFlight = parts;
            return this;
        }

        /**
         * @param createBucket whether opening the repository creates a missing bucket. Default {@code false}
         * @return this builder
         * @since 0.1.0
         */
        public Builder createBucket(boolean createBucket) {
            this.createBucket = createBucket;
            return this;
        }

        /**
         * Trusts the certificates in a PEM file for HTTPS, instead of the JVM's default trust store: the CA that
         * signed an S3-compatible store's certificate, or the store's self-signed certificate. The file is read when
         * the settings are built (it must hold at least one certificate) and again when a repository is opened.
         * pgBackRest's equivalent is {@code repoN-storage-ca-file}.
         *
         * @param caFile a readable PEM file of one or more certificates; {@code null} for none. Default none: the
         *               JVM's default trust store
         * @return this builder
         * @since 0.1.0
         */
        public Builder caFile(Path caFile) {
            this.caFile = caFile;
            return this;
        }

        /**
         * Whether to verify the server's certificate and that it names the endpoint's host. Turning it off accepts
         * any server, including an impostor: for tests against a throwaway server only; prefer
         * {@link #caFile(Path)}. pgBackRest's equivalent is {@code repoN-storage-verify-tls}.
         *
         * @param verifyTls whether to verify. Default {@code true}
         * @return this builder
         * @since 0.1.0
         */
        public Builder verifyTls(boolean verifyTls) {
            this.verifyTls = verifyTls;
            return this;
        }

        /**
         * Whether requests carry S3's flexible checksum headers ({@code x-amz-checksum-crc32} on parts,
         * {@code x-amz-checksum-sha256} on single puts, and the SDK's own). AWS S3 and current S3-compatible servers
         * accept them; Backblaze B2 and other stores that lag AWS answer 400 "Unsupported header": set {@code false}
         * for those. Each request is then guarded by Content-MD5 instead, and pgvault's SHA-256 of every object is
         * recorded and checked as always.
         *
         * @param flexibleChecksums whether to send them. Default {@code true}
         * @return this builder
         * @since 0.5.0
         */
        public Builder flexibleChecksums(boolean flexibleChecksums) {
            this.flexibleChecksums = flexibleChecksums;
            return this;
        }

        /**
         * The most bytes of part buffers one put may hold, whatever the object's size: a put waits (back-pressure)
         * rather than exceed it. It also caps the part size (at half of it), so the largest object of a stream of
         * unknown size grows with it: about 152 GiB with 32 MiB, 273 GiB with 64 MiB, 5 TiB (S3's limit) with 2 GiB.
         *
         * @param bytes at least partSize, at most 64 GiB. Default {@code partSize × partsInFlight} (32 MiB)
         * @return this builder
         * @since 0.5.0
         */
        public Builder uploadMemory(long bytes) {
            this.uploadMemory = bytes;
            return this;
        }

        /**
         * Whether part sizes grow for long streams (they double every 500 parts up to half the upload memory, so an
         * object of unknown size is not limited to 10,000 × partSize). Stores that require all parts but the last to
         * have one size (Cloudflare R2) need {@code false}: then the largest object is 10,000 × partSize.
         *
         * @param growingParts whether parts grow. Default {@code true}
         * @return this builder
         * @since 0.5.0
         */
        public Builder growingParts(boolean growingParts) {
            this.growingParts = growingParts;
            return this;
        }

        /**
         * Lets a restore bring objects in an archive storage class (S3 Glacier Flexible Retrieval, Deep Archive) back
         * before it reads them: {@code PgVault.restore} hands the set's keys to {@link S3Repository#prepareRead}, which
         * requests a retrieval for each archived one (RestoreObject) and waits until all are readable, up to the
         * timeout. Costs retrieval fees and hours; without it (the default) reading an archived object fails at once
         * with reason {@link S3RepositoryException.Reason#ARCHIVED}. Objects in other classes, Glacier Instant
         * Retrieval included, cost one HeadObject each and nothing more.
         *
         * @param retrieval tier, days, poll interval and timeout, e.g. {@link ArchiveRetrieval#defaults()};
         *                  {@code null} for none. Default none
         * @return this builder
         * @since 0.6.0
         */
        public Builder archiveRetrieval(ArchiveRetrieval retrieval) {
            this.archiveRetrieval = retrieval;
            return this;
        }

        /**
         * @return the settings
         * @throws ConfigurationException listing every invalid setting
         * @since 0.1.0
         */
        public S3RepositoryConfig build() {
            return new S3RepositoryConfig(bucket, prefix, region, Optional.ofNullable(endpoint), pathStyle,
                    credentials, storageClass, encryption, maxAttempts, backoffBase, backoffMax, connectTimeout,
                    socketTimeout, attemptTimeout, partSize, partsInFlight, createBucket, Optional.ofNullable(caFile),
                    verifyTls, flexibleChecksums, uploadMemory >= 0 ? uploadMemory : (long) partSize * partsInFlight,
                    growingParts, Optional.ofNullable(archiveRetrieval));
        }
    }
}
