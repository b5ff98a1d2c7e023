package io.pgvault.examples;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.api.tier.BackupResult;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierFilter;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.storage.gdrive.GoogleDriveRepository;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.storage.s3.S3Repository;
import io.pgvault.storage.s3.S3StorageClass;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;

import static io.pgvault.examples.EnvSettings.require;
import static io.pgvault.examples.EnvSettings.secret;

/**
 * Deployment shape 1 of REQUIREMENTS.md for logical backups, 3-2-1 in one call: a pg_dump backup to a local cache
 * (7 daily / 4 weekly / 12 monthly), copied to S3 (30 days, Standard-IA) and, once a month has ended, its last backup
 * to Google Drive, re-encrypted with a key of its own. Every copy is verified by hash; a failed copy is reported and
 * retried by the next run, and never undoes the local backup.
 *
 * <pre>
 * PGHOST=db PGDATABASE=app PGUSER=backup PGPASSWORD=... \
 * BACKUP_DIR=/var/backups/pg PGVAULT_AGE_KEY=AGE-SECRET-KEY-1... \
 * BACKUP_S3_BUCKET=backups BACKUP_S3_PREFIX=app [BACKUP_S3_ENDPOINT=https://s3.eu-central-003.backblazeb2.com] \
 * AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_REGION=eu-central-1 \
 * DRIVE_SERVICE_ACCOUNT_FILE=/run/secrets/drive.json DRIVE_FOLDER_ID=1AbC... DRIVE_AGE_KEY=AGE-SECRET-KEY-1... \
 *   java -cp ... io.pgvault.examples.LogicalThreeTwoOne [--prune]
 * </pre>
 *
 * {@code --prune} applies the retention of the local cache and of each tier after the backup.
 *
 * @since 0.2.0
 */
public final class LogicalThreeTwoOne {
    private static final ZoneId ZONE = ZoneId.of(System.getenv().getOrDefault("BACKUP_TIMEZONE", "UTC"));

    private LogicalThreeTwoOne() {
    }

    /**
     * @param args {@code [--prune]}
     * @throws IOException when the Drive key file cannot be read
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> env = System.getenv();
        PgConnection db = PgConnection.fromEnvironment()
                .orElseThrow(() -> new ConfigurationException("set PGHOST/PGDATABASE (libpq variables)"));
        PipelineOptions localKeys = PipelineOptions.defaults().withEncryption(Encryption.x25519(secret(env,
                "PGVAULT_AGE_KEY")));

        try (S3Repository s3 = S3Repository.of(EnvSettings.s3(env, "").build());
                GoogleDriveRepository drive = GoogleDriveRepository.of(EnvSettings.drive(env, "pgvault"))) {
            PgVault vault = PgVault.builder()
                    .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(db).build()))
                    .repository(LocalRepository.at(Path.of(require(env, "BACKUP_DIR"))))
                    .pipeline(localKeys)
                    // off-site: every backup, byte for byte (same key as the local cache), kept 30 days
                    .tier(Tier.builder("s3", s3.withStorageClass(S3StorageClass.STANDARD_IA))
                            .retention(RetentionPolicy.keepWithin(Duration.ofDays(30)))
                            .build())
                    // off-provider: the last backup of each month, under Drive's own key, kept a year
                    .tier(Tier.builder("drive", drive)
                            .filter(TierFilter.lastOfMonth(ZONE))
                            .pipeline(PipelineOptions.defaults()
                                    .withEncryption(Encryption.x25519(secret(env, "DRIVE_AGE_KEY"))))
                            .retention(RetentionPolicy.calendar().monthly(12).zone(ZONE).build())
                            .build())
                    .build();

            BackupResult result = vault.backupAndCopy();
            System.out.println("backup " + result.set().id() + ": " + result.set().storedBytes() + " bytes stored");
            result.tiers().forEach(t -> System.out.println(t.describe()));

            if (java.util.List.of(args).contains("--prune")) {
                System.out.println(vault.prune(RetentionPolicy.calendar().daily(7).weekly(4).monthly(12).zone(ZONE)
                        .build(), PruneMode.EXECUTE).render());
                vault.pruneTiers(PruneMode.EXECUTE).forEach((tier, r) -> System.out.println(tier + ": "
                        + r.render()));
            }
            System.out.println(vault.placement().render());
            System.exit(result.allTiersSucceeded() ? 0 : 3); // 3: backed up locally, a tier is behind (loudly)
        }
    }
}
