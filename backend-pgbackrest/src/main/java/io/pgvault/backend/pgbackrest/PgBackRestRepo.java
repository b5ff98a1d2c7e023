package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Secret;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.storage.s3.S3RepositoryConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One pgBackRest repository of a stanza: its {@code repoN-*} settings. A posix repo is a directory (for instance a
 * {@link LocalRepository}'s root, used by pgBackRest alone); an s3 repo is a bucket and path, mapped from an
 * {@link S3RepositoryConfig} or given directly. Secrets (cipher passphrase, S3 keys) are {@link Secret}s and reach
 * pgBackRest only through {@code PGBACKREST_REPOn_*} environment variables and a 0600 include file, never
 * {@code pgbackrest.conf} itself or an argument list.
 *
 * <pre>{@code
 * PgBackRestRepo local = PgBackRestRepo.posix(Path.of("/var/lib/pgbackrest")).build();
 * PgBackRestRepo offsite = PgBackRestRepo.s3(s3Config).cipher(Secret.of(passphrase)).build();
 * }</pre>
 *
 * @param index          the repository's number N in {@code repoN-*} (1-256); 0 in a builder means "next free"
 * @param type           posix or s3
 * @param path           {@code repoN-path}: the directory (posix) or the path inside the bucket (s3), absolute
 * @param s3             the S3 location and credentials of an s3 repo
 * @param cipherPass     the {@code aes-256-cbc} passphrase; empty: the repo is not encrypted
 * @param retentionFull  {@code repoN-retention-full}: empty means pgvault manages retention (a count so high that
 *                       pgBackRest's own expiry never removes a set, see {@link #MANAGED_RETENTION_FULL})
 * @param retentionDiff  {@code repoN-retention-diff}, when pgBackRest's own retention is used
 * @param walRetention   {@code repoN-retention-archive-type} and {@code repoN-retention-archive}: how many of the
 *                       newest backups keep the continuous WAL between them (point-in-time recovery); empty:
 *                       pgBackRest's default, which for a repo whose retention pgvault manages keeps all WAL from
 *                       the oldest set on. Since 0.2.0
 * @since 0.1.0
 */
public record PgBackRestRepo(int index, Type type, String path, Optional<S3> s3, Optional<Secret> cipherPass,
        OptionalInt retentionFull, OptionalInt retentionDiff, Optional<WalRetention> walRetention) {

    /**
     * The {@code repoN-retention-full} pgvault writes when it manages retention itself: pgBackRest's maximum, so its
     * automatic expiry after each backup never deletes a set a {@code RetentionPlan} keeps.
     *
     * @since 0.1.0
     */
    public static final int MANAGED_RETENTION_FULL = 9_999_999;

    /** Validates the components, reporting every problem at once. */
    public PgBackRestRepo {
        s3 = s3 == null ? Optional.empty() : s3;
        cipherPass = cipherPass == null ? Optional.empty() : cipherPass;
        retentionFull = retentionFull == null ? OptionalInt.empty() : retentionFull;
        retentionDiff = retentionDiff == null ? OptionalInt.empty() : retentionDiff;
        walRetention = walRetention == null ? Optional.empty() : walRetention;
        List<String> problems = new ArrayList<>();
        if (index < 0 || index > 256) {
            problems.add("repo index must be 1..256, was " + index);
        }
        if (type == null) {
            problems.add("repo type is required");
        }
        if (path == null || !path.startsWith("/") || path.contains("\n") || path.contains("/../")
                || path.endsWith("/..")) {
            problems.add("repo path must be absolute, was '" + path + "'");
        }
        if (type == Type.S3 && s3.isEmpty()) {
            problems.add("an s3 repo needs its S3 settings");
        }
        if (type == Type.POSIX && s3.isPresent()) {
            problems.add("a posix repo has no S3 settings");
        }
        retentionFull.ifPresent(n -> {
            if (n < 1 || n > MANAGED_RETENTION_FULL) {
                problems.add("retention-full must be 1.." + MANAGED_RETENTION_FULL + ", was " + n);
            }
        });
        retentionDiff.ifPresent(n -> {
            if (n < 1 || n > MANAGED_RETENTION_FULL) {
                problems.add("retention-diff must be 1.." + MANAGED_RETENTION_FULL + ", was " + n);
            }
        });
        ConfigurationException.throwIfAny(problems);
    }

    /**
     * The components of 0.1.0: no WAL retention of its own.
     *
     * @param index         the repository's number
     * @param type          posix or s3
     * @param path          {@code repoN-path}
     * @param s3            the S3 settings of an s3 repo
     * @param cipherPass    the cipher passphrase
     * @param retentionFull {@code repoN-retention-full}; empty: pgvault manages retention
     * @param retentionDiff {@code repoN-retention-diff}
     * @since 0.2.0
     */
    public PgBackRestRepo(int index, Type type, String path, Optional<S3> s3, Optional<Secret> cipherPass,
            OptionalInt retentionFull, OptionalInt retentionDiff) {
        this(index, type, path, s3, cipherPass, retentionFull, retentionDiff, Optional.empty());
    }

    /**
     * @param directory the repository directory ({@code repoN-path}), absolute; the launcher's user must be able to
     *                  create and write it
     * @return a builder of a posix repo
     * @since 0.1.0
     */
    public static Builder posix(Path directory) {
        Objects.requireNonNull(directory, "directory");
        return new Builder(Type.POSIX, directory.toAbsolutePath().normalize().toString(), null);
    }

    /**
     * @param repository a local repository whose root pgBackRest uses as its posix repo (pgBackRest writes its own
     *                   layout there; do not share the directory with pgvault's own catalog)
     * @return a builder of a posix repo at that root
     * @since 0.1.0
     */
    public static Builder posix(LocalRepository repository) {
        return posix(repository.config().root());
    }

    /**
     * Maps an S3 repository's settings: endpoint host and port, region, bucket, prefix as {@code repoN-path},
     * path-style addressing, and static credentials as {@code PGBACKREST_REPOn_S3_KEY}/{@code _KEY_SECRET}
     * (environment credentials are read now), and the CA file and TLS verification as
     * {@code repoN-storage-ca-file}/{@code repoN-storage-verify-tls}. The default credential chain maps to
     * {@code repoN-s3-key-type=web-id} when {@code AWS_ROLE_ARN} and {@code AWS_WEB_IDENTITY_TOKEN_FILE} are set (EKS
     * with IAM roles for service accounts; pgBackRest 2.36 and later), else to {@code auto} (EC2 instance metadata).
     * SSE-KMS with a key maps to {@code repoN-s3-kms-key-id} (pgBackRest 2.38 and later). pgBackRest talks to S3 over
     * TLS only, so an {@code http://} endpoint is rejected; a loopback IP endpoint ({@code 127.0.0.1}) is written as
     * {@code localhost}, because pgBackRest 2.45 does not match IP addresses in certificates. What pgBackRest cannot
     * express is refused rather than dropped: a storage class other than {@code STANDARD} (no released pgBackRest has
     * a storage-class option), SSE-S3 and SSE-KMS without a key (pgBackRest sends no such header), profile
     * credentials.
     *
     * @param config the S3 repository's settings
     * @return a builder of an s3 repo
     * @throws ConfigurationException when the settings cannot be expressed for pgBackRest, naming each
     * @since 0.1.0
     */
    public static Builder s3(S3RepositoryConfig config) {
        return S3Mapping.builder(config);
    }

    /**
     * @param s3   the S3 location and credentials
     * @param path the path inside the bucket, absolute ({@code /} for the bucket's root)
     * @return a builder of an s3 repo
     * @since 0.1.0
     */
    public static Builder s3(S3 s3, String path) {
        return new Builder(Type.S3, path, Objects.requireNonNull(s3, "s3"));
    }

    /**
     * @return whether pgvault manages this repo's retention (pgBackRest's own is disabled)
     * @since 0.1.0
     */
    public boolean retentionManaged() {
        return retentionFull.isEmpty();
    }

    /**
     * @return a copy with another index
     * @param newIndex the index
     * @since 0.1.0
     */
    public PgBackRestRepo withIndex(int newIndex) {
        return new PgBackRestRepo(newIndex, type, path, s3, cipherPass, retentionFull, retentionDiff, walRetention);
    }

    /**
     * Refuses a retention plan over a repo that expires by itself: pgBackRest's automatic expire after each backup
     * would remove sets the plan calls kept.
     *
     * @throws ConfigurationException when the repo has its own {@code retention-full}
     */
    void requireManagedRetention() {
        if (!retentionManaged()) {
            throw new ConfigurationException("repo" + index + " has its own retention (repo" + index
                    + "-retention-full=" + retentionFull.getAsInt() + retentionDiff.stream()
                            .mapToObj(d -> ", retention-diff=" + d).findFirst().orElse("")
                    + "): pgBackRest's automatic expire after each backup removes sets a RetentionPolicy keeps. "
                    + "Remove retentionFull/retentionDiff from the repo so that pgvault manages its retention, or let "
                    + "pgBackRest alone expire it (expire(repo))");
        }
    }

    /**
     * @return where the repo's files live, comparable between repos: the normalized path of a posix repo; bucket,
     *         endpoint, port and path of an s3 repo
     */
    String location() {
        String p = path.length() > 1 && path.endsWith("/") ? path.replaceAll("/+$", "") : path;
        p = p.isEmpty() ? "/" : p;
        if (type == Type.POSIX) {
            return "posix:" + Path.of(p).normalize();
        }
        S3 s = s3.orElseThrow();
        return "s3:" + s.endpoint().toLowerCase(java.util.Locale.ROOT) + ":" + s.port().orElse(443) + ":"
                + s.bucket() + ":" + p;
    }

    @Override
    public String toString() {
        return "repo" + index + "[" + type.option() + " " + s3.map(s -> s.bucket() + ":").orElse("") + path
                + (cipherPass.isPresent() ? ", aes-256-cbc" : "") + "]";
    }

    /**
     * {@code repoN-type}.
     *
     * @since 0.1.0
     */
    public enum Type {
        /** A directory on a filesystem the stanza's host can reach. */
        POSIX("posix"),
        /** An S3-compatible bucket. */
        S3("s3");

        private final String option;

        Type(String option) {
            this.option = option;
        }

        /**
         * @return the value pgBackRest expects
         * @since 0.1.0
         */
        public String option() {
            return option;
        }
    }

    /**
     * {@code repoN-s3-key-type}: where pgBackRest finds S3 credentials.
     *
     * @since 0.1.0
     */
    public enum S3KeyType {
        /** Keys given by pgvault ({@code shared}): {@code PGBACKREST_REPOn_S3_KEY} and {@code _KEY_SECRET}. */
        SHARED("shared"),
        /** Keys from the instance's IAM role ({@code auto}): EC2 instance metadata. */
        AUTO("auto"),
        /**
         * Keys from a web identity token ({@code web-id}, pgBackRest 2.36 and later), as on EKS with IAM roles for
         * service accounts: pgBackRest reads {@code AWS_ROLE_ARN} and {@code AWS_WEB_IDENTITY_TOKEN_FILE} from its
         * environment and calls STS {@code AssumeRoleWithWebIdentity}. pgvault passes both to the commands it runs;
         * the PostgreSQL server must have them too, for {@code archive-push}.
         *
         * @since 0.2.0
         */
        WEB_ID("web-id");

        private final String option;

        S3KeyType(String option) {
            this.option = option;
        }

        /**
         * @return the value pgBackRest expects
         * @since 0.1.0
         */
        public String option() {
            return option;
        }
    }

    /**
     * Where an s3 repo lives and how pgBackRest authenticates. {@code toString()} shows no key.
     *
     * @param bucket    {@code repoN-s3-bucket}
     * @param region    {@code repoN-s3-region}
     * @param endpoint  {@code repoN-s3-endpoint}: a host name (pgBackRest 2.45 does not match IP addresses in
     *                  certificates, so prefer {@code localhost} to {@code 127.0.0.1})
     * @param port      {@code repoN-storage-port}; empty: 443
     * @param pathStyle {@code repoN-s3-uri-style=path} rather than {@code host}
     * @param caFile    {@code repoN-storage-ca-file}: a PEM file of CA certificates to trust
     * @param verifyTls {@code repoN-storage-verify-tls}; turn off only for tests
     * @param keyType   where credentials come from
     * @param accessKey {@code repoN-s3-key} (with {@link S3KeyType#SHARED})
     * @param secretKey {@code repoN-s3-key-secret} (with {@link S3KeyType#SHARED})
     * @param token     {@code repoN-s3-token} for temporary credentials
     * @param kmsKeyId  {@code repoN-s3-kms-key-id}: encrypt objects with SSE-KMS and this key (id or ARN; pgBackRest
     *                  2.38 and later); empty: no encryption header (the bucket's default encryption applies). Since
     *                  0.2.0
     * @since 0.1.0
     */
    public record S3(String bucket, String region, String endpoint, OptionalInt port, boolean pathStyle,
            Optional<Path> caFile, boolean verifyTls, S3KeyType keyType, Optional<Secret> accessKey,
            Optional<Secret> secretKey, Optional<Secret> token, Optional<String> kmsKeyId) {

        /** Validates the components, reporting every problem at once. */
        public S3 {
            port = port == null ? OptionalInt.empty() : port;
            caFile = caFile == null ? Optional.empty() : caFile;
            kmsKeyId = kmsKeyId == null ? Optional.empty() : kmsKeyId;
            accessKey = accessKey == null ? Optional.empty() : accessKey;
            secretKey = secretKey == null ? Optional.empty() : secretKey;
            token = token == null ? Optional.empty() : token;
            List<String> problems = new ArrayList<>();
            if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
                problems.add("s3 bucket must be 3-63 characters of a-z, 0-9, '.' and '-', was '" + bucket + "'");
            }
            if (region == null || !region.matches("[a-z0-9][a-z0-9-]*")) {
                problems.add("s3 region must be a region name like us-east-1, was '" + region + "'");
            }
            if (endpoint == null || !endpoint.matches("[A-Za-z0-9.-]+")) {
                problems.add("s3 endpoint must be a host name, was '" + endpoint + "'");
            }
            port.ifPresent(p -> {
                if (p < 1 || p > 65535) {
                    problems.add("s3 port must be 1..65535, was " + p);
                }
            });
            if (keyType == null) {
                problems.add("s3 key type is required");
            } else if (keyType == S3KeyType.SHARED && (accessKey.isEmpty() || secretKey.isEmpty())) {
                problems.add("s3 key type shared needs an access key and a secret key");
            }
            caFile.filter(p -> !p.isAbsolute()).ifPresent(p -> problems.add("s3 CA file must be absolute, was " + p));
            kmsKeyId.filter(k -> !k.matches("[A-Za-z0-9:/_.+=@-]{1,2048}"))
                    .ifPresent(k -> problems.add("s3 KMS key id must be a key id, ARN or alias, was '" + k + "'"));
            ConfigurationException.throwIfAny(problems);
        }

        /**
         * The components of 0.1.0: no KMS key.
         *
         * @param bucket    {@code repoN-s3-bucket}
         * @param region    {@code repoN-s3-region}
         * @param endpoint  {@code repoN-s3-endpoint}
         * @param port      {@code repoN-storage-port}
         * @param pathStyle path-style addressing
         * @param caFile    {@code repoN-storage-ca-file}
         * @param verifyTls {@code repoN-storage-verify-tls}
         * @param keyType   where credentials come from
         * @param accessKey {@code repoN-s3-key}
         * @param secretKey {@code repoN-s3-key-secret}
         * @param token     {@code repoN-s3-token}
         * @since 0.2.0
         */
        public S3(String bucket, String region, String endpoint, OptionalInt port, boolean pathStyle,
                Optional<Path> caFile, boolean verifyTls, S3KeyType keyType, Optional<Secret> accessKey,
                Optional<Secret> secretKey, Optional<Secret> token) {
            this(bucket, region, endpoint, port, pathStyle, caFile, verifyTls, keyType, accessKey, secretKey, token,
                    Optional.empty());
        }

        /**
         * @param bucket    the bucket
         * @param region    the region
         * @param endpoint  the endpoint host
         * @param accessKey the access key id
         * @param secretKey the secret access key
         * @return S3 settings with shared keys, port 443, host-style addressing, TLS verified with the system CAs
         * @since 0.1.0
         */
        public static S3 of(String bucket, String region, String endpoint, Secret accessKey, Secret secretKey) {
            return new S3(bucket, region, endpoint, OptionalInt.empty(), false, Optional.empty(), true,
                    S3KeyType.SHARED, Optional.of(accessKey), Optional.of(secretKey), Optional.empty());
        }

        /**
         * @param newPort the endpoint's port
         * @return a copy with that port
         * @since 0.1.0
         */
        public S3 withPort(int newPort) {
            return new S3(bucket, region, endpoint, OptionalInt.of(newPort), pathStyle, caFile, verifyTls, keyType,
                    accessKey, secretKey, token, kmsKeyId);
        }

        /**
         * @param path whether to use path-style addressing
         * @return a copy with that addressing
         * @since 0.1.0
         */
        public S3 withPathStyle(boolean path) {
            return new S3(bucket, region, endpoint, port, path, caFile, verifyTls, keyType, accessKey, secretKey,
                    token, kmsKeyId);
        }

        /**
         * @param file a PEM file of CA certificates; null for the system's
         * @param verify whether certificates are verified
         * @return a copy with these TLS settings
         * @since 0.1.0
         */
        public S3 withTls(Path file, boolean verify) {
            return new S3(bucket, region, endpoint, port, pathStyle, Optional.ofNullable(file), verify, keyType,
                    accessKey, secretKey, token, kmsKeyId);
        }

        /**
         * @param keyId the KMS key (id or ARN) for SSE-KMS, or null for none
         * @return a copy with that key
         * @since 0.2.0
         */
        public S3 withKmsKeyId(String keyId) {
            return new S3(bucket, region, endpoint, port, pathStyle, caFile, verifyTls, keyType, accessKey, secretKey,
                    token, Optional.ofNullable(keyId));
        }

        @Override
        public String toString() {
            return "S3[" + bucket + " at " + endpoint + port.stream().mapToObj(p -> ":" + p).findFirst().orElse("")
                    + " (" + region + "), " + (pathStyle ? "path" : "host") + "-style, keys " + keyType.option()
                    + "]";
        }
    }

    /**
     * Builds a {@link PgBackRestRepo}.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final Type type;
        private final String path;
        private S3 s3;
        private int index;
        private Secret cipherPass;
        private Integer retentionFull;
        private Integer retentionDiff;
        private WalRetention walRetention;

        Builder(Type type, String path, S3 s3) {
            this.type = type;
            this.path = path;
            this.s3 = s3;
        }

        /**
         * @param index the repo's number N in {@code repoN-*}; default 0: the next free number when the
         *              {@link PgBackRestConfig} is built
         * @return this
         * @since 0.1.0
         */
        public Builder index(int index) {
            this.index = index;
            return this;
        }

        /**
         * @param passphrase encrypt the repo with {@code aes-256-cbc} and this passphrase; default: not encrypted. A
         *                   repo keeps the cipher settings it was created with
         * @return this
         * @since 0.1.0
         */
        public Builder cipher(Secret passphrase) {
            this.cipherPass = passphrase;
            return this;
        }

        /**
         * @param fulls let pgBackRest expire itself, keeping this many fulls; default: pgvault manages retention
         * @return this
         * @since 0.1.0
         */
        public Builder retentionFull(int fulls) {
            this.retentionFull = fulls;
            return this;
        }

        /**
         * @param diffs with {@link #retentionFull}: keep this many differentials; default pgBackRest's
         * @return this
         * @since 0.1.0
         */
        public Builder retentionDiff(int diffs) {
            this.retentionDiff = diffs;
            return this;
        }

        /**
         * @param retention how many of the newest backups keep the continuous WAL between them
         *                  ({@code repoN-retention-archive-type}, {@code repoN-retention-archive}); default:
         *                  pgBackRest's, which keeps all WAL from the oldest set on in a repo whose retention pgvault
         *                  manages. Set it when the sets a {@code RetentionPolicy} keeps reach back further than
         *                  point-in-time recovery needs to (e.g. monthlies for a year, PITR over 14 days)
         * @return this
         * @since 0.2.0
         */
        public Builder walRetention(WalRetention retention) {
            this.walRetention = retention;
            return this;
        }

        /**
         * @param keyId encrypt the objects of an s3 repo with SSE-KMS and this key ({@code repoN-s3-kms-key-id},
         *              pgBackRest 2.38 and later); null: no encryption header. Default: what the
         *              {@code S3RepositoryConfig} says, else none
         * @return this
         * @throws ConfigurationException for a posix repo
         * @since 0.2.0
         */
        public Builder kmsKeyId(String keyId) {
            if (s3 == null) {
                throw new ConfigurationException("a KMS key applies to s3 repos only");
            }
            this.s3 = s3.withKmsKeyId(keyId);
            return this;
        }

        /**
         * @param caFile a PEM file of CA certificates for an s3 repo ({@code repoN-storage-ca-file}); null: the
         *               system's
         * @param verify whether TLS certificates are verified ({@code repoN-storage-verify-tls}); default true
         * @return this
         * @throws ConfigurationException for a posix repo
         * @since 0.1.0
         */
        public Builder tls(Path caFile, boolean verify) {
            if (s3 == null) {
                throw new ConfigurationException("TLS settings apply to s3 repos only");
            }
            this.s3 = s3.withTls(caFile, verify);
            return this;
        }

        /**
         * @return the validated repo
         * @throws ConfigurationException listing every invalid setting
         * @since 0.1.0
         */
        public PgBackRestRepo build() {
            if (retentionDiff != null && retentionFull == null) {
                throw new ConfigurationException("retention-diff needs retention-full: pgvault manages retention "
                        + "of repos without it");
            }
            return new PgBackRestRepo(index, type, path, Optional.ofNullable(s3), Optional.ofNullable(cipherPass),
                    retentionFull == null ? OptionalInt.empty() : OptionalInt.of(retentionFull),
                    retentionDiff == null ? OptionalInt.empty() : OptionalInt.of(retentionDiff),
                    Optional.ofNullable(walRetention));
        }
    }
}
