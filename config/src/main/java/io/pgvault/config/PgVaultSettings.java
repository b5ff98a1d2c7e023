package io.pgvault.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * Everything a host can configure, as plain immutable values bound from {@code pgvault.*} properties (a YAML or
 * properties file, Spring's {@code Environment}, environment variables). {@link SettingsBinder} reads them and reports
 * every problem with its property path; {@link VaultAssembly} turns them into the library's objects. The property
 * names are in {@code docs/configuration.md#declarative-configuration}.
 *
 * @param database               the backed-up database ({@code pgvault.database.*}); also home of the scheduler's
 *                               advisory locks and job store
 * @param dump                   a logical pg_dump strategy ({@code pgvault.dump.*}), if configured
 * @param repository             the primary repository of logical sets ({@code pgvault.repository.*})
 * @param pipeline               compression, encryption and integrity key
 * @param acceptUnauthenticated  restore, drill and copy sets whose manifest is not proven authentic
 * @param scratchDirectory       scratch for what cannot stream
 * @param debrisGrace            age of abandoned objects a prune removes
 * @param tiers                  further repositories for 3-2-1
 * @param retention              the primary's retention, applied after each scheduled backup
 * @param pgbackrest             a pgBackRest stanza ({@code pgvault.pgbackrest.*}), if configured
 * @param schedule               when jobs run, and how replicas agree
 * @param health                 health thresholds
 * @param drill                  restore drills
 * @since 0.6.0
 */
public record PgVaultSettings(Optional<Database> database, Optional<Dump> dump, Optional<RepositorySettings> repository,
        PipelineSettings pipeline, boolean acceptUnauthenticated, Optional<Path> scratchDirectory,
        Optional<Duration> debrisGrace, List<TierSettings> tiers, Optional<RetentionSettings> retention,
        Optional<PgBackRestSettings> pgbackrest, ScheduleSettings schedule, HealthSettings health,
        DrillSettings drill) {

    /** Copies the lists. */
    public PgVaultSettings {
        tiers = List.copyOf(tiers);
    }

    /**
     * A PostgreSQL connection.
     *
     * @param host     host, IP or socket directory
     * @param port     port
     * @param user     role
     * @param database database name
     * @param password the password's reference
     * @param passfile an existing pgpass file
     * @param sslMode  libpq's sslmode
     * @param binDir   where pg_dump, psql and pg_restore live
     * @since 0.6.0
     */
    public record Database(String host, int port, String user, String database, Optional<SecretRef> password,
            Optional<Path> passfile, Optional<String> sslMode, Optional<Path> binDir) {
    }

    /** pg_dump's archive formats. */
    public enum DumpFormat {
        /** -Fp */
        PLAIN,
        /** -Fc */
        CUSTOM,
        /** -Fd */
        DIRECTORY
    }

    /**
     * A logical backup with pg_dump.
     *
     * @param format         archive format
     * @param jobs           parallel jobs (directory format)
     * @param databases      databases to dump (default: the connection's)
     * @param allDatabases   every connectable non-template database
     * @param includeGlobals dump roles and tablespaces too
     * @param noOwner        --no-owner
     * @param noPrivileges   --no-privileges
     * @param schemaOnly     --schema-only
     * @param includeSchemas --schema
     * @param excludeSchemas --exclude-schema
     * @param includeTables  --table
     * @param excludeTables  --exclude-table
     * @param toolTimeout    limit of each tool run
     * @param rowCounts      record exact row counts
     * @since 0.6.0
     */
    public record Dump(DumpFormat format, int jobs, List<String> databases, boolean allDatabases,
            boolean includeGlobals, boolean noOwner, boolean noPrivileges, boolean schemaOnly,
            List<String> includeSchemas, List<String> excludeSchemas, List<String> includeTables,
            List<String> excludeTables, Duration toolTimeout, boolean rowCounts) {
        /** Copies the lists. */
        public Dump {
            databases = List.copyOf(databases);
            includeSchemas = List.copyOf(includeSchemas);
            excludeSchemas = List.copyOf(excludeSchemas);
            includeTables = List.copyOf(includeTables);
            excludeTables = List.copyOf(excludeTables);
        }
    }

    /**
     * Exactly one kind of repository.
     *
     * @param local a local directory
     * @param s3    an S3 bucket
     * @param drive a Google Drive folder
     * @since 0.6.0
     */
    public record RepositorySettings(Optional<LocalSettings> local, Optional<S3Settings> s3,
            Optional<DriveSettings> drive) {
        /** @return the kind configured, for messages */
        public String kind() {
            return local.isPresent() ? "local" : s3.isPresent() ? "s3" : "drive";
        }
    }

    /**
     * A local repository.
     *
     * @param path       the directory
     * @param createRoot create it when missing
     * @since 0.6.0
     */
    public record LocalSettings(Path path, boolean createRoot) {
    }

    /** How S3 credentials are found. */
    public enum S3CredentialsKind {
        /** the AWS SDK's default chain (environment, profile, web identity, instance metadata) */
        DEFAULT,
        /** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN */
        ENVIRONMENT,
        /** an access key id with a referenced secret key */
        STATIC,
        /** a named profile */
        PROFILE
    }

    /**
     * An S3 repository.
     *
     * @param bucket             bucket
     * @param prefix             key prefix
     * @param region             region
     * @param endpoint           an S3-compatible endpoint
     * @param pathStyle          path-style addressing
     * @param credentials        how credentials are found
     * @param accessKeyId        the access key id (static credentials)
     * @param secretAccessKey    the secret key's reference (static credentials)
     * @param profile            the profile (profile credentials)
     * @param storageClass       the S3 storage class name
     * @param partSize           first part size
     * @param partsInFlight      part buffers per put
     * @param uploadMemory       heap bound of one put, when set
     * @param growingParts       parts grow past 500
     * @param flexibleChecksums  x-amz-checksum headers (false for B2)
     * @param createBucket       create a missing bucket
     * @param caFile             CAs trusted instead of the JVM's
     * @param verifyTls          verify the server's certificate
     * @param maxAttempts        attempts per request
     * @param archiveRetrieval   bring archived (Glacier) objects back before a restore reads them, when set
     * @since 0.6.0
     */
    public record S3Settings(String bucket, String prefix, String region, Optional<URI> endpoint, boolean pathStyle,
            S3CredentialsKind credentials, Optional<String> accessKeyId, Optional<SecretRef> secretAccessKey,
            Optional<String> profile, String storageClass, long partSize, int partsInFlight,
            Optional<Long> uploadMemory, boolean growingParts, boolean flexibleChecksums, boolean createBucket,
            Optional<Path> caFile, boolean verifyTls, int maxAttempts,
            Optional<ArchiveRetrievalSettings> archiveRetrieval) {
    }

    /** S3's retrieval tiers for archived objects. */
    public enum ArchiveTier {
        /** hours; the default */
        STANDARD,
        /** cheapest, slowest */
        BULK,
        /** minutes, most expensive; Glacier Flexible Retrieval only */
        EXPEDITED
    }

    /**
     * Archive retrieval of an S3 repository: a restore requests the retrieval of the set's archived objects and waits.
     *
     * @param tier         the retrieval tier
     * @param days         days S3 keeps the restored copy
     * @param pollInterval how often pending objects are checked
     * @param timeout      how long to wait for all of them
     * @since 0.6.0
     */
    public record ArchiveRetrievalSettings(ArchiveTier tier, int days, Duration pollInterval, Duration timeout) {
    }

    /**
     * A Google Drive repository.
     *
     * @param serviceAccountKey the service account's JSON key (reference)
     * @param rootFolderId      the folder the repository lives in
     * @param sharedDrive       a shared drive id
     * @param folder            sub-folders under the root
     * @param rootUrl           Drive's base URL (a proxy or test double)
     * @param trash             trash instead of delete (needed as a shared drive's content manager)
     * @since 0.6.0
     */
    public record DriveSettings(SecretRef serviceAccountKey, String rootFolderId, Optional<String> sharedDrive,
            String folder, Optional<URI> rootUrl, boolean trash) {
    }

    /** Compression algorithms. */
    public enum CompressionKind {
        /** zstd (default) */
        ZSTD,
        /** gzip */
        GZIP,
        /** stored as is */
        NONE
    }

    /**
     * Compression, encryption and the manifest integrity key.
     *
     * @param compression   algorithm
     * @param level         level (zstd 1..19, gzip 1..9), empty for the algorithm's default
     * @param passphrase    age scrypt passphrase (reference)
     * @param identity      age X25519 identity (reference)
     * @param workFactor    scrypt work factor for a passphrase
     * @param integrityKey  manifest HMAC key (reference)
     * @since 0.6.0
     */
    public record PipelineSettings(CompressionKind compression, Optional<Integer> level, Optional<SecretRef> passphrase,
            Optional<SecretRef> identity, Optional<Integer> workFactor, Optional<SecretRef> integrityKey) {
    }

    /** Which sets a tier receives. */
    public enum TierFilterKind {
        /** every set */
        ALL,
        /** full (and logical) sets */
        FULLS_ONLY,
        /** the last set of each month */
        LAST_OF_MONTH,
        /** the last set of each ISO week */
        LAST_OF_WEEK
    }

    /**
     * A tier.
     *
     * @param name        unique name
     * @param repository  where its copies go
     * @param filter      which sets
     * @param zone        the calendar zone of month/week filters
     * @param retention   its own retention
     * @param pipeline    re-encoding for the tier, when set
     * @param required    a failed copy fails the backup
     * @param maxCopyWait how long the primary keeps a set this tier lacks
     * @since 0.6.0
     */
    public record TierSettings(String name, RepositorySettings repository, TierFilterKind filter, ZoneId zone,
            Optional<RetentionSettings> retention, Optional<PipelineSettings> pipeline, boolean required,
            Optional<Duration> maxCopyWait) {
    }

    /**
     * Retention rules, combined: a set any rule keeps is kept.
     *
     * @param keepLast   the newest n
     * @param keepWithin everything younger than this
     * @param hourly     calendar: hourly
     * @param daily      calendar: daily
     * @param weekly     calendar: weekly
     * @param monthly    calendar: monthly
     * @param yearly     calendar: yearly
     * @param zone       calendar zone
     * @param fulls      pgBackRest-style full count
     * @param diffs      pgBackRest-style diff count
     * @since 0.6.0
     */
    public record RetentionSettings(Optional<Integer> keepLast, Optional<Duration> keepWithin, int hourly, int daily,
            int weekly, int monthly, int yearly, ZoneId zone, Optional<Integer> fulls, Optional<Integer> diffs) {
    }

    /**
     * A pgBackRest stanza.
     *
     * @param stanza        stanza name
     * @param configFile    pgbackrest.conf pgvault writes
     * @param workDirectory log, lock and spool directories
     * @param executable    the program
     * @param runAs         the OS user pgBackRest runs as (runuser/sudo), empty for this process's user
     * @param dataDirectory pg1-path
     * @param port          pg1-port
     * @param socketDirectory pg1-socket-path
     * @param binDir        where pg_ctl and psql live (to start a restored copy)
     * @param repos         its repos, in order
     * @param processMax    process-max
     * @param archiveTimeout archive-timeout
     * @param mirror        a byte-for-byte mirror of chosen sets to a repository pgBackRest cannot write (Drive)
     * @since 0.6.0
     */
    public record PgBackRestSettings(String stanza, Path configFile, Optional<Path> workDirectory,
            Optional<String> executable, Optional<String> runAs, Path dataDirectory, int port,
            Optional<Path> socketDirectory, Optional<Path> binDir, List<PgBackRestRepoSettings> repos, int processMax,
            Optional<Duration> archiveTimeout, Optional<MirrorSettings> mirror) {
        /** Copies the list. */
        public PgBackRestSettings {
            repos = List.copyOf(repos);
        }
    }

    /** Which WAL a mirror carries. */
    public enum MirrorWal {
        /** the segments each set needs to be consistent */
        CONSISTENCY,
        /** everything up to the next selected set: point-in-time recovery from the mirror */
        PITR
    }

    /**
     * The pgBackRest mirror (ADR 0012).
     *
     * @param name       the mirror's tier name
     * @param repository where the mirror goes
     * @param sourceRepo the pgBackRest repo copied from (its index)
     * @param filter     which sets
     * @param zone       zone of month/week filters
     * @param wal        which WAL
     * @param prefix     key prefix in the repository
     * @param retention  the mirror's own retention
     * @since 0.6.0
     */
    public record MirrorSettings(String name, RepositorySettings repository, int sourceRepo, TierFilterKind filter,
            ZoneId zone, MirrorWal wal, String prefix, Optional<RetentionSettings> retention) {
    }

    /**
     * A pgBackRest repo.
     *
     * @param path   a posix repo's directory
     * @param s3     an s3 repo
     * @param cipher the repo's cipher passphrase (reference)
     * @since 0.6.0
     */
    public record PgBackRestRepoSettings(Optional<Path> path, Optional<S3Settings> s3, Optional<SecretRef> cipher) {
    }

    /** Where the scheduler remembers handled fires. */
    public enum JobStoreKind {
        /** tables in the backed-up database: several replicas (default when a database is configured) */
        POSTGRES,
        /** a file: one instance */
        FILE,
        /** forgotten on restart */
        MEMORY
    }

    /**
     * Jobs and how replicas agree on who runs them.
     *
     * @param backup       cron of the backup job (followed by the retention prune)
     * @param sync         cron of the tier sync
     * @param drill        cron of the restore drill
     * @param physicalFull cron of pgBackRest full backups
     * @param physicalDiff cron of pgBackRest differential backups
     * @param physicalIncr cron of pgBackRest incremental backups
     * @param mirror       cron of the pgBackRest mirror
     * @param zone         zone the crons are evaluated in
     * @param guard        one replica runs each fire (an advisory lock in the database)
     * @param store        where fires are claimed
     * @param storeFile    the file of a FILE store
     * @param tickInterval how often due jobs are looked for
     * @param runOn        which server role runs the jobs when a database is configured
     * @since 0.6.0
     */
    public record ScheduleSettings(Optional<String> backup, Optional<String> sync, Optional<String> drill,
            Optional<String> physicalFull, Optional<String> physicalDiff, Optional<String> physicalIncr,
            Optional<String> mirror, ZoneId zone, boolean guard, JobStoreKind store, Optional<Path> storeFile, Duration tickInterval,
            io.pgvault.operations.schedule.RunOn runOn) {
        /** @return whether any job is scheduled */
        public boolean any() {
            return backup.isPresent() || sync.isPresent() || drill.isPresent() || physicalFull.isPresent()
                    || physicalDiff.isPresent() || physicalIncr.isPresent() || mirror.isPresent();
        }
    }

    /**
     * Health thresholds.
     *
     * @param backupWarning  newest set older than this: WARNING
     * @param backupCritical newest set older than this: CRITICAL
     * @param drillWarning   newest proof older than this: WARNING
     * @param drillCritical  newest proof older than this: CRITICAL
     * @param drillAge       whether drill age is checked at all
     * @param listingTtl     how long a catalog listing is reused
     * @since 0.6.0
     */
    public record HealthSettings(Duration backupWarning, Duration backupCritical, Duration drillWarning,
            Duration drillCritical, boolean drillAge, Duration listingTtl) {
    }

    /**
     * Restore drills.
     *
     * @param workDirectory room for the restored database
     * @param binDir        initdb/pg_ctl directory
     * @param serverUser    OS user of the throwaway server
     * @param jobs          parallel restore jobs
     * @param amcheck       check btree indexes
     * @param record        write the drill record (and {@code lastVerified} of a logical set)
     * @param records       where drill records go (required to record pgBackRest drills; default the vault's
     *                      repository)
     * @since 0.6.0
     */
    public record DrillSettings(Optional<Path> workDirectory, Optional<Path> binDir, Optional<String> serverUser,
            int jobs, boolean amcheck, boolean record, Optional<RepositorySettings> records) {
    }
}
