package io.pgvault.config;

import io.pgvault.config.PgVaultSettings.ArchiveRetrievalSettings;
import io.pgvault.config.PgVaultSettings.ArchiveTier;
import io.pgvault.config.PgVaultSettings.CompressionKind;
import io.pgvault.config.PgVaultSettings.Database;
import io.pgvault.config.PgVaultSettings.DrillSettings;
import io.pgvault.config.PgVaultSettings.DriveSettings;
import io.pgvault.config.PgVaultSettings.Dump;
import io.pgvault.config.PgVaultSettings.DumpFormat;
import io.pgvault.config.PgVaultSettings.HealthSettings;
import io.pgvault.config.PgVaultSettings.JobStoreKind;
import io.pgvault.config.PgVaultSettings.LocalSettings;
import io.pgvault.config.PgVaultSettings.PgBackRestRepoSettings;
import io.pgvault.config.PgVaultSettings.PgBackRestSettings;
import io.pgvault.config.PgVaultSettings.PipelineSettings;
import io.pgvault.config.PgVaultSettings.RepositorySettings;
import io.pgvault.config.PgVaultSettings.RetentionSettings;
import io.pgvault.config.PgVaultSettings.S3CredentialsKind;
import io.pgvault.config.PgVaultSettings.S3Settings;
import io.pgvault.config.PgVaultSettings.ScheduleSettings;
import io.pgvault.config.PgVaultSettings.TierFilterKind;
import io.pgvault.config.PgVaultSettings.TierSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Binds {@code pgvault.*} properties to {@link PgVaultSettings}, reporting every problem at once, each with its
 * property path ({@code pgvault.tiers[1].s3.bucket is required: ...}), and every key that is not a setting.
 *
 * <pre>
 * PgVaultSettings settings = SettingsBinder.bind(ConfigSources.load(Path.of("pgvault.yml"), System.getenv()));
 * </pre>
 *
 * @since 0.6.0
 */
public final class SettingsBinder {
    /** How long a restored archive copy must outlive the wait: storage-s3's {@code ArchiveRetrieval.READ_MARGIN}. */
    private static final Duration ARCHIVE_READ_MARGIN = Duration.ofHours(12);
    /** The root of every key. */
    public static final String ROOT = "pgvault";
    /** Environment variables starting with {@code PGVAULT_} that are not settings. */
    public static final Set<String> NOT_SETTINGS = Set.of("PGVAULT_CONFIG", "PGVAULT_OPTS", "PGVAULT_HOME");

    private static final Pattern TIER_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern STANZA = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private static volatile ConfigSchema schema;

    private SettingsBinder() {
    }

    /**
     * @param tree the properties
     * @return the settings
     * @throws io.pgvault.api.ConfigurationException listing every problem, each with its property path
     */
    public static PgVaultSettings bind(ConfigTree tree) {
        Binding binding = new Binding(tree, false);
        PgVaultSettings settings = bind(new ConfigNode(binding, ROOT));
        binding.finish(ROOT);
        return settings;
    }

    /** @return every property the binder knows, with types, defaults and descriptions */
    public static ConfigSchema schema() {
        ConfigSchema s = schema;
        if (s == null) {
            // the schema depends on the code alone: described once (the starter's conditions and the environment
            // mapping ask for it at start-up)
            Binding binding = new Binding(ConfigTree.of(java.util.Map.of()), true);
            bind(new ConfigNode(binding, ROOT));
            s = binding.schema();
            schema = s;
        }
        return s;
    }

    private static PgVaultSettings bind(ConfigNode root) {
        root.bool("enabled", true, "false turns pgvault off (the Spring Boot starter creates no bean)");
        Optional<Database> database = root.has("database") ? Optional.of(database(root.child("database")))
                : Optional.empty();
        Optional<Dump> dump = root.has("dump") ? Optional.of(dump(root.child("dump"))) : Optional.empty();
        Optional<RepositorySettings> repository = root.has("repository")
                ? Optional.of(repository(root.child("repository"))) : Optional.empty();
        PipelineSettings pipeline = pipeline(root.child("pipeline"));
        boolean acceptUnauthenticated = root.bool("accept-unauthenticated", false, "restore, drill and copy sets "
                + "whose manifest is not proven authentic (only for repositories nobody else can write)");
        Optional<Path> scratch = root.path("scratch-directory", "scratch for what cannot stream (default: "
                + "java.io.tmpdir)");
        Optional<Duration> debrisGrace = root.duration("debris-grace", "how old abandoned objects must be before a "
                + "prune removes them (default 1h)");
        List<TierSettings> tiers = new ArrayList<>();
        Set<String> tierNames = new HashSet<>();
        for (ConfigNode t : root.list("tiers", "further repositories that receive verified copies (3-2-1)")) {
            TierSettings tier = tier(t);
            if (!tier.name().isEmpty() && !tierNames.add(tier.name())) {
                t.problem("name", "'" + tier.name() + "' names two tiers: tier names must be unique");
            }
            tiers.add(tier);
        }
        Optional<RetentionSettings> retention = root.has("retention")
                ? Optional.of(retention(root.child("retention"))) : Optional.empty();
        Optional<PgBackRestSettings> pgbackrest = root.has("pgbackrest")
                ? Optional.of(pgbackrest(root.child("pgbackrest"))) : Optional.empty();
        ScheduleSettings schedule = schedule(root.child("schedule"), database.isPresent());
        HealthSettings health = health(root.child("health"));
        DrillSettings drill = drill(root.child("drill"));

        if (dump.isPresent() && database.isEmpty()) {
            root.problem("database", "is required when pgvault.dump is set: the database pg_dump reads");
        }
        if (dump.isPresent() && repository.isEmpty()) {
            root.problem("repository", "is required when pgvault.dump is set: where logical sets are stored "
                    + "(local, s3 or drive)");
        }
        if (repository.isPresent() && dump.isEmpty()) {
            root.problem("dump", "is required when pgvault.repository is set: how logical backups are taken "
                    + "(e.g. pgvault.dump.format=custom)");
        }
        if (!tiers.isEmpty() && repository.isEmpty()) {
            root.problem("tiers", "need a primary pgvault.repository");
        }
        if (dump.isEmpty() && pgbackrest.isEmpty() && !root.has("dump") && !root.has("pgbackrest")) {
            root.problem(null, "configures nothing to back up: set pgvault.dump (logical) or pgvault.pgbackrest "
                    + "(physical)");
        }
        if ((schedule.backup().isPresent() || schedule.sync().isPresent()) && dump.isEmpty()) {
            root.problem("schedule.backup", "schedules logical backups, which need pgvault.dump");
        }
        if ((schedule.physicalFull().isPresent() || schedule.physicalDiff().isPresent()
                || schedule.physicalIncr().isPresent()) && pgbackrest.isEmpty()) {
            root.problem("schedule.physical-full", "schedules pgBackRest backups, which need pgvault.pgbackrest");
        }
        if (schedule.mirror().isPresent() && pgbackrest.flatMap(PgBackRestSettings::mirror).isEmpty()) {
            root.problem("schedule.mirror", "schedules the pgBackRest mirror, which needs pgvault.pgbackrest.mirror");
        }
        if (schedule.any() && schedule.guard() && database.isEmpty()) {
            root.problem("schedule.guard", "needs pgvault.database: replicas agree through an advisory lock in it "
                    + "(or set pgvault.schedule.guard=false for a single instance)");
        }
        if (schedule.store() == JobStoreKind.POSTGRES && database.isEmpty() && schedule.any()) {
            root.problem("schedule.store", "postgres needs pgvault.database");
        }
        if (schedule.any() && schedule.store() == JobStoreKind.POSTGRES
                && schedule.runOn() == io.pgvault.operations.schedule.RunOn.STANDBY_ONLY) {
            root.problem("schedule.store", "postgres cannot claim fires on a standby (read-only): with "
                    + "pgvault.schedule.run-on=standby-only set store=file");
        }
        if (schedule.store() == JobStoreKind.FILE && schedule.storeFile().isEmpty()) {
            root.problem("schedule.store-file", "is required when pgvault.schedule.store=file");
        }
        return new PgVaultSettings(database, dump, repository, pipeline, acceptUnauthenticated, scratch, debrisGrace,
                tiers, retention, pgbackrest, schedule, health, drill);
    }

    private static Database database(ConfigNode n) {
        Optional<SecretRef> password = n.secret("password", "the role's password");
        Optional<Path> passfile = n.path("passfile", "an existing pgpass file (instead of password)");
        if (password.isPresent() && passfile.isPresent()) {
            n.problem("passfile", "and " + n.key("password") + " exclude each other");
        }
        return new Database(n.string("host", "localhost", "host, IP or socket directory"),
                n.integer("port", 5432, 1, 65535, "port"), n.string("user", "postgres", "role"),
                n.string("name", "postgres", "database name"), password, passfile,
                n.string("ssl-mode", "libpq's sslmode (disable, require, verify-full, ...)"),
                n.path("bin-dir", "where pg_dump, psql and pg_restore live (default: PATH)"));
    }

    private static Dump dump(ConfigNode n) {
        DumpFormat format = n.choice("format", DumpFormat.class, DumpFormat.CUSTOM, "pg_dump's archive format");
        int jobs = n.integer("jobs", 1, 1, 64, "pg_dump --jobs (directory format only)");
        if (jobs > 1 && format != DumpFormat.DIRECTORY) {
            n.problem("jobs", "needs pgvault.dump.format=directory (pg_dump runs jobs only for that format)");
        }
        List<String> databases = n.strings("databases", "databases to dump, one set (default: the connection's)");
        boolean all = n.bool("all-databases", false, "every database that allows connections, looked up each time");
        if (all && !databases.isEmpty()) {
            n.problem("all-databases", "and " + n.key("databases") + " exclude each other");
        }
        return new Dump(format, jobs, databases, all,
                n.bool("include-globals", false, "also dump roles and tablespaces (pg_dumpall --globals-only)"),
                n.bool("no-owner", false, "--no-owner"), n.bool("no-privileges", false, "--no-privileges"),
                n.bool("schema-only", false, "--schema-only"),
                n.strings("include-schemas", "--schema (repeatable)"),
                n.strings("exclude-schemas", "--exclude-schema (repeatable)"),
                n.strings("include-tables", "--table (repeatable)"),
                n.strings("exclude-tables", "--exclude-table (repeatable)"),
                n.duration("tool-timeout", Duration.ofHours(12), "limit of each pg_dump/psql/pg_restore run"),
                n.bool("row-counts", true, "record exact per-table row counts (drills compare them)"));
    }

    private static RepositorySettings repository(ConfigNode n) {
        Optional<LocalSettings> local = n.has("local") ? Optional.of(local(n.child("local"))) : Optional.empty();
        Optional<S3Settings> s3 = n.has("s3") ? Optional.of(s3(n.child("s3"))) : Optional.empty();
        Optional<DriveSettings> drive = n.has("drive") ? Optional.of(drive(n.child("drive"))) : Optional.empty();
        int kinds = (local.isPresent() ? 1 : 0) + (s3.isPresent() ? 1 : 0) + (drive.isPresent() ? 1 : 0);
        if (kinds != 1) {
            n.problem(null, kinds == 0 ? "needs one of local, s3 or drive"
                    : "sets more than one of local, s3 and drive: a repository is one of them");
        }
        return new RepositorySettings(local, s3, drive);
    }

    private static LocalSettings local(ConfigNode n) {
        Optional<Path> path = n.path("path", "the repository's directory (required)");
        if (path.isEmpty()) {
            n.problem("path", "is required: the repository's directory");
        }
        return new LocalSettings(path.orElse(Path.of("/")), n.bool("create-root", true, "create a missing "
                + "directory"));
    }

    static S3Settings s3(ConfigNode n) {
        String bucket = n.required("bucket", "the bucket");
        S3CredentialsKind credentials = n.choice("credentials", S3CredentialsKind.class, S3CredentialsKind.DEFAULT,
                "how credentials are found");
        Optional<String> keyId = n.string("access-key-id", "access key id (credentials=static)");
        Optional<SecretRef> secret = n.secret("secret-access-key", "secret access key (credentials=static)");
        Optional<String> profile = n.string("profile", "AWS profile (credentials=profile)");
        if (credentials == S3CredentialsKind.STATIC && (keyId.isEmpty() || secret.isEmpty())) {
            n.problem("credentials", "static needs " + n.key("access-key-id") + " and " + n.key("secret-access-key"));
        }
        if (credentials != S3CredentialsKind.STATIC && (keyId.isPresent() || secret.isPresent())) {
            n.problem("access-key-id", "is used only with " + n.key("credentials") + "=static");
        }
        if (credentials == S3CredentialsKind.PROFILE && profile.isEmpty()) {
            n.problem("profile", "is required with " + n.key("credentials") + "=profile");
        }
        return new S3Settings(bucket, n.string("prefix", "", "key prefix"),
                n.string("region", "us-east-1", "region"),
                n.uri("endpoint", "an S3-compatible store's endpoint (MinIO, B2, R2, ...)"),
                n.bool("path-style", false, "path-style addressing (most S3-compatible stores)"), credentials, keyId,
                secret, profile,
                n.string("storage-class", "STANDARD", "STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, "
                        + "GLACIER_IR, GLACIER, DEEP_ARCHIVE"),
                n.bytes("part-size", 8L << 20, 5L << 20, 1L << 30, "size of the first parts of a multipart upload"),
                n.integer("parts-in-flight", 4, 1, 64, "part buffers of one put at once"),
                Optional.of(n.bytes("upload-memory", 0, 0, 64L << 30, "heap bound of one put (0: part-size x "
                        + "parts-in-flight)")).filter(v -> v > 0),
                n.bool("growing-parts", true, "parts double every 500 (false for Cloudflare R2)"),
                n.bool("flexible-checksums", true, "x-amz-checksum headers (false for Backblaze B2)"),
                n.bool("create-bucket", false, "create a missing bucket"),
                n.path("ca-file", "PEM of CAs trusted instead of the JVM's"),
                n.bool("verify-tls", true, "verify the server's certificate (false: tests only)"),
                n.integer("max-attempts", 5, 1, 100, "attempts per request"),
                n.has("archive-retrieval") ? archiveRetrieval(n.child("archive-retrieval")) : Optional.empty());
    }

    private static Optional<ArchiveRetrievalSettings> archiveRetrieval(ConfigNode n) {
        boolean enabled = n.bool("enabled", true, "request archived objects' retrieval and wait before a restore "
                + "reads them (off: an archived object fails ARCHIVED)");
        ArchiveRetrievalSettings settings = new ArchiveRetrievalSettings(
                n.choice("tier", ArchiveTier.class, ArchiveTier.STANDARD, "retrieval tier: STANDARD, BULK, EXPEDITED"),
                n.integer("days", 3, 1, 365, "days S3 keeps the restored copy"),
                n.duration("poll-interval", Duration.ofMinutes(1), "how often pending objects are checked"),
                n.duration("timeout", Duration.ofHours(48), "how long a restore waits for them"));
        // the restored copies must outlast the wait and the read after it (storage-s3's ArchiveRetrieval.READ_MARGIN)
        if (Duration.ofDays(settings.days()).compareTo(settings.timeout().plus(ARCHIVE_READ_MARGIN)) <= 0) {
            n.problem("days", "must keep the restored copies longer than timeout + " + ARCHIVE_READ_MARGIN.toHours()
                    + "h (" + settings.timeout() + "): early copies would expire before the restore reads them");
        }
        return enabled ? Optional.of(settings) : Optional.empty();
    }

    private static DriveSettings drive(ConfigNode n) {
        Optional<SecretRef> key = n.secret("service-account-key", "the service account's JSON key");
        if (key.isEmpty()) {
            n.problem("service-account-key", "is required: a reference to the service account's JSON key");
        }
        return new DriveSettings(key.orElse(new SecretRef(SecretRef.Kind.ENV, "UNSET")),
                n.string("root-folder-id", "root", "the folder the repository lives in"),
                n.string("shared-drive", "a shared drive's id"), n.string("folder", "", "sub-folders under the root"),
                n.uri("root-url", "Drive's base URL (a proxy or test double)"),
                n.bool("trash", false, "trash instead of delete (a shared drive's content manager cannot delete)"));
    }

    private static PipelineSettings pipeline(ConfigNode n) {
        CompressionKind compression = n.choice("compression", CompressionKind.class, CompressionKind.ZSTD,
                "compression of stored bytes");
        Optional<Integer> level = n.integer("level", 1, 19, "compression level (zstd 1..19, gzip 1..9)");
        if (compression == CompressionKind.GZIP && level.filter(l -> l > 9).isPresent()) {
            n.problem("level", "must be 1..9 for gzip");
        }
        Optional<SecretRef> passphrase = n.secret("passphrase", "age scrypt passphrase: one key per set, wrapped");
        Optional<SecretRef> identity = n.secret("identity", "age X25519 identity (AGE-SECRET-KEY-1...)");
        if (passphrase.isPresent() && identity.isPresent()) {
            n.problem("identity", "and " + n.key("passphrase") + " exclude each other: choose one encryption");
        }
        Optional<Integer> workFactor = n.integer("work-factor", 10, 22, "scrypt work factor of a passphrase "
                + "(default 18: 256 MiB of heap while it runs)");
        return new PipelineSettings(compression, level, passphrase, identity, workFactor,
                n.secret("integrity-key", "manifest HMAC key (at least 32 characters, kept apart from the "
                        + "repository's credentials)"));
    }

    private static TierSettings tier(ConfigNode n) {
        String name = n.required("name", "the tier's name, unique");
        if (!name.isEmpty() && !TIER_NAME.matcher(name).matches()) {
            n.problem("name", "must match [A-Za-z0-9_.-]{1,64}, was '" + name + "'");
        }
        RepositorySettings repository = repository(n.child("repository"));
        Optional<RetentionSettings> retention = n.has("retention") ? Optional.of(retention(n.child("retention")))
                : Optional.empty();
        Optional<PipelineSettings> pipeline = n.has("pipeline") ? Optional.of(pipeline(n.child("pipeline")))
                : Optional.empty();
        return new TierSettings(name, repository,
                n.choice("filter", TierFilterKind.class, TierFilterKind.ALL, "which sets the tier receives"),
                n.zone("zone", "zone of last-of-month / last-of-week"), retention, pipeline,
                n.bool("required", false, "a failed copy fails the backup (the set stays committed)"),
                n.duration("max-copy-wait", "how long the primary keeps a set this tier lacks (default 30d)"));
    }

    private static RetentionSettings retention(ConfigNode n) {
        RetentionSettings r = new RetentionSettings(n.integer("keep-last", 1, 100_000, "keep the newest n sets"),
                n.duration("keep-within", "keep every set younger than this"),
                n.integer("hourly", 0, 0, 100_000, "calendar: hourly sets kept"),
                n.integer("daily", 0, 0, 100_000, "calendar: daily sets kept"),
                n.integer("weekly", 0, 0, 100_000, "calendar: weekly sets kept"),
                n.integer("monthly", 0, 0, 100_000, "calendar: monthly sets kept"),
                n.integer("yearly", 0, 0, 100_000, "calendar: yearly sets kept"),
                n.zone("zone", "calendar zone"), n.integer("fulls", 1, 100_000, "pgBackRest-style: full sets kept"),
                n.integer("diffs", 1, 100_000, "pgBackRest-style: diffs kept (needs fulls)"));
        if (r.diffs().isPresent() && r.fulls().isEmpty()) {
            n.problem("diffs", "needs " + n.key("fulls"));
        }
        if (r.keepLast().isEmpty() && r.keepWithin().isEmpty() && r.fulls().isEmpty()
                && r.hourly() + r.daily() + r.weekly() + r.monthly() + r.yearly() == 0) {
            n.problem(null, "sets no rule: keep-last, keep-within, hourly..yearly or fulls");
        }
        return r;
    }

    private static PgBackRestSettings pgbackrest(ConfigNode n) {
        String stanza = n.required("stanza", "the stanza");
        if (!stanza.isEmpty() && !STANZA.matcher(stanza).matches()) {
            n.problem("stanza", "must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
        }
        Optional<Path> configFile = n.path("config-file", "the pgbackrest.conf pgvault writes (required)");
        if (configFile.isEmpty()) {
            n.problem("config-file", "is required: the pgbackrest.conf pgvault writes and checks");
        }
        Optional<Path> dataDirectory = n.path("data-directory", "the cluster's data directory, pg1-path (required)");
        if (dataDirectory.isEmpty()) {
            n.problem("data-directory", "is required: the cluster's data directory (pg1-path)");
        }
        List<PgBackRestRepoSettings> repos = new ArrayList<>();
        for (ConfigNode r : n.list("repos", "pgBackRest repos, repo1 first")) {
            Optional<Path> path = r.path("path", "a posix repo's directory");
            Optional<S3Settings> s3 = r.has("s3") ? Optional.of(s3(r.child("s3"))) : Optional.empty();
            if (path.isPresent() == s3.isPresent()) {
                r.problem(null, "needs exactly one of path (posix) or s3");
            }
            repos.add(new PgBackRestRepoSettings(path, s3, r.secret("cipher", "the repo's aes-256-cbc passphrase")));
        }
        if (repos.isEmpty()) {
            n.problem("repos", "needs at least one repo: pgvault.pgbackrest.repos[0].path or .s3");
        }
        return new PgBackRestSettings(stanza, configFile.orElse(Path.of("/")),
                n.path("work-directory", "log, lock and spool directories under one"),
                n.string("executable", "the pgbackrest program (default: PATH)"),
                n.string("run-as", "the OS user pgBackRest runs as, e.g. postgres (runuser/sudo)"),
                dataDirectory.orElse(Path.of("/")), n.integer("port", 5432, 1, 65535, "pg1-port"),
                n.path("socket-directory", "pg1-socket-path"),
                n.path("bin-dir", "where pg_ctl and psql live, to start a restored copy (default: PATH)"), repos,
                n.integer("process-max", 1, 1, 999, "process-max"),
                n.duration("archive-timeout", "archive-timeout (default 60s)"),
                n.has("mirror") ? Optional.of(mirror(n.child("mirror"), repos.size())) : Optional.empty());
    }

    private static PgVaultSettings.MirrorSettings mirror(ConfigNode n, int repos) {
        String name = n.string("name", "mirror", "the mirror's tier name (reports, health, metrics)");
        if (!TIER_NAME.matcher(name).matches()) {
            n.problem("name", "must match [A-Za-z0-9_.-]{1,64}, was '" + name + "'");
        }
        RepositorySettings repository = repository(n.child("repository"));
        int source = n.integer("source-repo", 1, 1, 256, "the pgBackRest repo copied from (its position, 1 first)");
        if (repos > 0 && source > repos) {
            n.problem("source-repo", "is " + source + " but pgvault.pgbackrest.repos has " + repos + " repo(s)");
        }
        return new PgVaultSettings.MirrorSettings(name, repository, source,
                n.choice("filter", TierFilterKind.class, TierFilterKind.FULLS_ONLY, "which sets are mirrored (a diff "
                        + "or incr brings what it references)"),
                n.zone("zone", "zone of last-of-month / last-of-week"),
                n.choice("wal", PgVaultSettings.MirrorWal.class, PgVaultSettings.MirrorWal.CONSISTENCY,
                        "consistency (what each set needs) or pitr (everything up to the next selected set)"),
                n.string("prefix", "pgbackrest", "key prefix in the repository"),
                n.has("retention") ? Optional.of(retention(n.child("retention"))) : Optional.empty());
    }

    private static ScheduleSettings schedule(ConfigNode n, boolean hasDatabase) {
        JobStoreKind store = n.choice("store", JobStoreKind.class, hasDatabase ? JobStoreKind.POSTGRES
                : JobStoreKind.MEMORY, "where fires are claimed (postgres: shared by replicas)");
        return new ScheduleSettings(n.string("backup", "cron of logical backups, each followed by the retention prune"),
                n.string("sync", "cron of copying what tiers lack"),
                n.string("drill", "cron of restore drills"),
                n.string("physical-full", "cron of pgBackRest full backups"),
                n.string("physical-diff", "cron of pgBackRest differential backups"),
                n.string("physical-incr", "cron of pgBackRest incremental backups"),
                n.string("mirror", "cron of the pgBackRest mirror (then its retention)"),
                n.zone("zone", "zone the crons are evaluated in"),
                n.bool("guard", true, "one replica runs each fire (advisory lock in pgvault.database)"), store,
                n.path("store-file", "the file of store=file"),
                n.duration("tick-interval", Duration.ofSeconds(1), "how often due jobs are looked for"),
                n.choice("run-on", io.pgvault.operations.schedule.RunOn.class,
                        io.pgvault.operations.schedule.RunOn.LEADER_ONLY, "which server runs the jobs when "
                        + "pgvault.database is set: leader-only (the primary), standby-only (pg_dump offloaded to a "
                        + "standby; then store=file), any"));
    }

    private static HealthSettings health(ConfigNode n) {
        Duration bw = n.duration("backup-age.warning", Duration.ofHours(24), "newest set older: WARNING");
        Duration bc = n.duration("backup-age.critical", Duration.ofHours(26), "newest set older: CRITICAL");
        Duration dw = n.duration("drill-age.warning", Duration.ofDays(35), "newest proof older: WARNING");
        Duration dc = n.duration("drill-age.critical", Duration.ofDays(45), "newest proof older: CRITICAL");
        if (bw.compareTo(bc) > 0) {
            n.problem("backup-age.warning", "must not exceed " + n.key("backup-age.critical"));
        }
        if (dw.compareTo(dc) > 0) {
            n.problem("drill-age.warning", "must not exceed " + n.key("drill-age.critical"));
        }
        return new HealthSettings(bw, bc, dw, dc, n.bool("drill-age.enabled", true, "check the age of the newest "
                + "proof"), n.duration("listing-ttl", Duration.ofMinutes(5), "how long a catalog listing is reused"));
    }

    private static DrillSettings drill(ConfigNode n) {
        return new DrillSettings(n.path("work-directory", "room for the restored database (default: "
                + "java.io.tmpdir)"), n.path("bin-dir", "initdb and pg_ctl (default: pg_config --bindir)"),
                n.string("server-user", "OS user of the throwaway server (default: postgres as root)"),
                n.integer("jobs", 1, 1, 64, "parallel restore jobs"),
                n.bool("amcheck", true, "check every btree index"),
                n.bool("record", true, "write the drill record (health reads it)"),
                n.has("records") ? Optional.of(repository(n.child("records"))) : Optional.empty());
    }
}
