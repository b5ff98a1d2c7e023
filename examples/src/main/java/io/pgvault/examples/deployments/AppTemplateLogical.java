package io.pgvault.examples.deployments;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupId;
import io.pgvault.api.Compression;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVault;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.RestoreResult;
import io.pgvault.api.Secret;
import io.pgvault.api.VerifyResult;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.RetentionEnvironment;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.api.tier.BackupResult;
import io.pgvault.api.tier.Tier;
import io.pgvault.backend.pgdump.DumpFormat;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3Repository;
import io.pgvault.storage.s3.S3RepositoryConfig;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Deployment 3 of REQUIREMENTS.md: the application template's logical backups, configured entirely from environment
 * variables as the shell script was, in a few lines of pgvault.
 *
 * <pre>
 * # what to back up: the libpq variables
 * PGHOST=db PGPORT=5432 PGUSER=backup PGPASSWORD=... PGDATABASE=app
 * # where and for how long
 * BACKUP_DIR=/var/backups/pg                      # required: the local repository
 * BACKUP_RETENTION_DAILY=7 BACKUP_RETENTION_WEEKLY=4 BACKUP_RETENTION_MONTHLY=12   # the defaults when none is set
 * BACKUP_FORMAT=plain|custom                      # plain SQL + gzip (default) or pg_dump's custom format + zstd
 * BACKUP_SCHEMA_ONLY=true                         # optional: definitions only
 * BACKUP_PASSPHRASE=...                           # optional: age encryption (decrypt with `age -d` alone)
 * # optional off-site copy: any S3-compatible store, fail-open
 * BACKUP_S3_BUCKET=backups BACKUP_S3_PREFIX=app/ [BACKUP_S3_ENDPOINT=https://minio:9000] [BACKUP_S3_CA_FILE=ca.pem]
 * AWS_REGION=eu-central-1 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...
 *
 * java -cp ... io.pgvault.examples.deployments.AppTemplateLogical backup
 * java -cp ... io.pgvault.examples.deployments.AppTemplateLogical --verify-only
 * java -cp ... io.pgvault.examples.deployments.AppTemplateLogical list
 * java -cp ... io.pgvault.examples.deployments.AppTemplateLogical restore [--drop-existing] [--set ID]
 *                                                  [--target-database NAME] [--from s3]
 * </pre>
 *
 * What the script did by hand, pgvault does by construction: a SHA-256 per object (and of the whole logical stream),
 * a structure check that catches truncated dumps ({@code --verify-only} decompresses and parses every set), a set
 * listed only once it is complete, retention that never deletes the newest backup. The S3 copy is an optional tier:
 * when the store is down the local backup still counts, the failure is printed loudly and the exit code is 3, and
 * the next run copies whatever S3 is missing.
 *
 * <p>Exit codes: 0 success, 1 failure, 2 configuration or usage error, 3 backed up locally but the off-site copy
 * failed. Runs here against any PostgreSQL; {@code AppTemplateLogicalIT} runs it against a throwaway cluster and
 * S3Proxy.
 *
 * @since 0.2.0
 */
public final class AppTemplateLogical {
    /** The tier name of the optional S3 copy, as reports, health checks and {@code --from} name it. */
    public static final String S3_TIER = "s3";

    private AppTemplateLogical() {
    }

    /** @param args {@code backup} (default), {@code --verify-only}, {@code list} or {@code restore ...} */
    public static void main(String[] args) {
        System.exit(run(System.getenv(), args, System.out));
    }

    /**
     * Runs one command with the given environment; what {@link #main} does, without exiting (for tests and hosts).
     *
     * @param env  the environment variables to read
     * @param args the command and its options
     * @param out  where the human-readable report goes
     * @return the exit code
     */
    public static int run(Map<String, String> env, String[] args, PrintStream out) {
        List<String> argv = new ArrayList<>(Arrays.asList(args));
        String command = argv.isEmpty() ? "backup" : argv.remove(0);
        S3Repository s3 = null;
        try {
            Settings settings = Settings.from(env);
            // Fail-open: an off-site store that cannot even be opened does not stop the local backup.
            Optional<String> s3Problem = Optional.empty();
            if (settings.s3().isPresent()) {
                try {
                    s3 = S3Repository.of(settings.s3().get());
                } catch (PgVaultException e) {
                    s3Problem = Optional.of(e.getMessage());
                    out.println("ERROR: off-site copy disabled for this run: " + e.getMessage());
                }
            }
            PgVault vault = vault(settings, s3);
            return switch (command) {
                case "backup" -> backup(vault, settings, s3Problem, out);
                case "--verify-only", "verify" -> verifyAll(vault, out);
                case "list" -> {
                    vault.list().forEach(set -> out.println(describe(set)));
                    yield 0;
                }
                case "restore" -> restore(vault, argv, out);
                default -> throw new ConfigurationException("unknown command '" + command
                        + "': use backup, --verify-only, list or restore");
            };
        } catch (ConfigurationException e) {
            out.println("configuration: " + e.getMessage());
            return 2;
        } catch (PgVaultException e) {
            out.println("FAILED (" + e.code() + "): " + e.getMessage());
            return 1;
        } finally {
            if (s3 != null) {
                s3.close();
            }
        }
    }

    /** The whole wiring: pg_dump into the local directory, plus the S3 tier when it is configured and reachable. */
    static PgVault vault(Settings settings, S3Repository s3) {
        PgDumpConfig dump = PgDumpConfig.builder()
                .connection(settings.connection())
                .format(settings.format())
                .schemaOnly(settings.schemaOnly())
                .build();
        // plain SQL gzip-compressed, as the script wrote it (`gunzip | psql` still works); custom dumps use zstd
        PipelineOptions pipeline = PipelineOptions.defaults()
                .withCompression(settings.format() == DumpFormat.PLAIN ? Compression.gzip() : Compression.zstd());
        if (settings.passphrase().isPresent()) {
            pipeline = pipeline.withEncryption(Encryption.passphrase(settings.passphrase().get()));
        }
        PgVault.Builder vault = PgVault.builder()
                .strategy(new PgDumpStrategy(dump))
                .repository(LocalRepository.at(settings.backupDir()))
                .pipeline(pipeline)
                // with a passphrase every manifest is signed (ADR 0013); without one, the script's own trust
                .acceptUnauthenticated(settings.passphrase().isEmpty());
        if (s3 != null) {
            // every set, byte for byte, same retention as local; optional (the default): fail-open, never silent
            vault.tier(Tier.builder(S3_TIER, s3).retention(settings.retention()).build());
        }
        return vault.build();
    }

    private static int backup(PgVault vault, Settings settings, Optional<String> s3Problem, PrintStream out) {
        BackupResult result = vault.backupAndCopy();
        out.println("backup " + describe(result.set()));
        result.tiers().forEach(t -> out.println(t.describe()));
        // retention after every backup, as the script did: local and off-site, each by its own plan
        out.println(vault.prune(settings.retention(), PruneMode.EXECUTE).render());
        vault.pruneTiers(PruneMode.EXECUTE).forEach((tier, report) -> out.println(tier + ": " + report.render()));
        if (s3Problem.isPresent() || !result.allTiersSucceeded()) {
            out.println("ERROR: backup " + result.set().id() + " is safe locally, but the off-site copy failed: "
                    + s3Problem.orElseGet(() -> result.failedTiers().toString()));
            return 3;
        }
        return 0;
    }

    private static int verifyAll(PgVault vault, PrintStream out) {
        int failed = 0;
        for (BackupSet set : vault.list()) {
            VerifyResult v = vault.verify(set.id(), true); // checksums, then decompress + decrypt + parse
            out.println((v.problems().isEmpty() ? "OK     " : "FAILED ") + set.id() + " " + v.problems());
            failed += v.problems().isEmpty() ? 0 : 1;
        }
        out.println(failed == 0 ? "all backups verified" : failed + " backup(s) failed verification");
        return failed == 0 ? 0 : 1;
    }

    private static int restore(PgVault vault, List<String> argv, PrintStream out) {
        RestoreRequest.Builder request = RestoreRequest.builder();
        String from = null;
        for (int i = 0; i < argv.size(); i++) {
            switch (argv.get(i)) {
                case "--drop-existing" -> request.dropExisting(true);
                case "--set" -> request.backupId(BackupId.of(value(argv, ++i, "--set")));
                case "--target-database" -> request.targetDatabase(value(argv, ++i, "--target-database"));
                case "--from" -> from = value(argv, ++i, "--from");
                default -> throw new ConfigurationException("unknown restore option " + argv.get(i));
            }
        }
        RestoreResult result = from == null ? vault.restore(request.build())
                : vault.restoreFrom(from, request.build());
        out.println("restored " + result.set().id() + " into " + result.databases() + " in " + result.duration());
        return 0;
    }

    private static String value(List<String> argv, int i, String option) {
        if (i >= argv.size()) {
            throw new ConfigurationException(option + " needs a value");
        }
        return argv.get(i);
    }

    private static String describe(BackupSet set) {
        return set.id() + " " + set.source() + " " + set.type() + " " + set.storedBytes() + " bytes stored, "
                + set.objects().size() + " object(s)";
    }

    /**
     * The template's variables, parsed once and checked together (every problem at once).
     *
     * @param connection  libpq {@code PG*} variables
     * @param backupDir   {@code BACKUP_DIR}
     * @param format      {@code BACKUP_FORMAT}
     * @param schemaOnly  {@code BACKUP_SCHEMA_ONLY}
     * @param passphrase  {@code BACKUP_PASSPHRASE}
     * @param retention   {@code BACKUP_RETENTION_*}, default 7 daily / 4 weekly / 12 monthly
     * @param s3          {@code BACKUP_S3_*} and the AWS variables, when a bucket is set
     */
    record Settings(PgConnection connection, Path backupDir, DumpFormat format, boolean schemaOnly,
            Optional<Secret> passphrase, RetentionPolicy retention, Optional<S3RepositoryConfig> s3) {

        static Settings from(Map<String, String> env) {
            List<String> problems = new ArrayList<>();
            String dir = get(env, "BACKUP_DIR");
            if (dir == null) {
                problems.add("BACKUP_DIR is required: the directory holding the local backups");
            }
            DumpFormat format = DumpFormat.PLAIN;
            String f = get(env, "BACKUP_FORMAT");
            if (f != null) {
                switch (f.toLowerCase(Locale.ROOT)) {
                    case "plain", "sql" -> format = DumpFormat.PLAIN;
                    case "custom" -> format = DumpFormat.CUSTOM;
                    default -> problems.add("BACKUP_FORMAT='" + f + "' must be plain or custom");
                }
            }
            RetentionPolicy retention = null;
            try {
                retention = RetentionEnvironment.fromEnvironment(env)
                        .orElse(RetentionPolicy.calendar().daily(7).weekly(4).monthly(12).build());
            } catch (ConfigurationException e) {
                problems.addAll(e.problems());
            }
            PgConnection connection = null;
            try {
                connection = connection(env);
            } catch (ConfigurationException e) {
                problems.addAll(e.problems());
            }
            Optional<S3RepositoryConfig> s3 = Optional.empty();
            try {
                s3 = s3(env);
            } catch (ConfigurationException e) {
                problems.addAll(e.problems());
            }
            ConfigurationException.throwIfAny(problems);
            return new Settings(connection, Path.of(dir), format, "true".equalsIgnoreCase(get(env,
                    "BACKUP_SCHEMA_ONLY")), Optional.ofNullable(get(env, "BACKUP_PASSPHRASE")).map(Secret::of),
                    retention, s3);
        }

        /** libpq's variables, read from the given map rather than the process environment. */
        private static PgConnection connection(Map<String, String> env) {
            PgConnection.Builder b = PgConnection.builder();
            Optional.ofNullable(get(env, "PGHOST")).ifPresent(b::host);
            String port = get(env, "PGPORT");
            if (port != null) {
                try {
                    b.port(Integer.parseInt(port));
                } catch (NumberFormatException e) {
                    throw new ConfigurationException("PGPORT='" + port + "' is not a number");
                }
            }
            Optional.ofNullable(get(env, "PGUSER")).ifPresent(b::user);
            Optional.ofNullable(get(env, "PGDATABASE")).ifPresent(b::database);
            Optional.ofNullable(get(env, "PGPASSWORD")).map(Secret::of).ifPresent(b::password);
            return b.build();
        }

        private static Optional<S3RepositoryConfig> s3(Map<String, String> env) {
            String bucket = get(env, "BACKUP_S3_BUCKET");
            if (bucket == null) {
                return Optional.empty(); // local only
            }
            S3RepositoryConfig.Builder s3 = S3RepositoryConfig.builder(bucket)
                    .prefix(Optional.ofNullable(get(env, "BACKUP_S3_PREFIX")).orElse(""))
                    .region(Optional.ofNullable(get(env, "AWS_REGION")).orElse("us-east-1"));
            String keyId = get(env, "AWS_ACCESS_KEY_ID");
            String secret = get(env, "AWS_SECRET_ACCESS_KEY");
            // keys from the given variables; otherwise the SDK's chain (instance role, profile, ...)
            s3.credentials(keyId != null && secret != null ? S3Credentials.ofStatic(keyId, Secret.of(secret))
                    : S3Credentials.defaultChain());
            Optional.ofNullable(get(env, "BACKUP_S3_ENDPOINT")).map(URI::create)
                    .ifPresent(endpoint -> s3.endpoint(endpoint).pathStyle(true)); // S3-compatible stores
            Optional.ofNullable(get(env, "BACKUP_S3_CA_FILE")).map(Path::of).ifPresent(s3::caFile);
            return Optional.of(s3.build());
        }

        private static String get(Map<String, String> env, String name) {
            String v = env.get(name);
            return v == null || v.isBlank() ? null : v.trim();
        }
    }
}
