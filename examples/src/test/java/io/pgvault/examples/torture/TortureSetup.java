package io.pgvault.examples.torture;

import io.pgvault.api.Encryption;
import io.pgvault.api.Leases;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.Secret;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.api.tier.Tier;
import io.pgvault.storage.gdrive.DriveCredentials;
import io.pgvault.storage.gdrive.GoogleDriveRepository;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryConfig;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3Repository;
import io.pgvault.storage.s3.S3RepositoryConfig;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The deployment every torture process opens: a local primary, a byte-for-byte S3 tier (S3Proxy) with its own
 * retention, and a Drive tier (the testkit's fake) re-encoded with its own age key that may wait only briefly for
 * copies. Short leases and a short debris grace make the races frequent. Non-secret settings travel as arguments,
 * secrets through the environment.
 *
 * @param primary       the local primary directory
 * @param s3Endpoint    S3Proxy's endpoint
 * @param s3Bucket      the S3 tier's bucket
 * @param s3AccessKey   its access key id
 * @param driveRoot     the Drive fake's root URL
 * @param driveToken    its token URI
 * @param driveFolder   the Drive tier's folder
 * @param driveClientId the OAuth client id
 * @param s3Primary     the bucket of the second deployment's primary (S3)
 * @param localTier     the directory of the second deployment's tier (local disk)
 */
record TortureSetup(Path primary, URI s3Endpoint, String s3Bucket, String s3AccessKey, URI driveRoot, URI driveToken,
        String driveFolder, String driveClientId, String s3Primary, Path localTier) {
    static final String S3_SECRET = "TORTURE_S3_SECRET";
    static final String DRIVE_SECRET = "TORTURE_DRIVE_SECRET";
    static final String DRIVE_REFRESH = "TORTURE_DRIVE_REFRESH";
    static final String TIER_IDENTITY = "TORTURE_TIER_IDENTITY";
    static final Leases LEASES = new Leases(Duration.ofMillis(500), Duration.ofSeconds(10));
    static final Duration DEBRIS_GRACE = Duration.ofSeconds(3);
    static final Duration DRIVE_MAX_COPY_WAIT = Duration.ofSeconds(40);
    static final int KEEP_PRIMARY = 4;
    static final int KEEP_S3 = 6;

    List<String> toArgs() {
        return List.of(primary.toString(), s3Endpoint.toString(), s3Bucket, s3AccessKey, driveRoot.toString(),
                driveToken.toString(), driveFolder, driveClientId, s3Primary, localTier.toString());
    }

    static TortureSetup fromArgs(List<String> a) {
        return new TortureSetup(Path.of(a.get(0)), URI.create(a.get(1)), a.get(2), a.get(3), URI.create(a.get(4)),
                URI.create(a.get(5)), a.get(6), a.get(7), a.get(8), Path.of(a.get(9)));
    }

    /**
     * What one process holds open: deployment A (local primary, S3 and Drive tiers) and deployment B (S3 primary,
     * local tier), so that both kinds of store serve as a primary and as a tier.
     */
    record Opened(PgVault vault, PgVault vaultB, S3Repository s3, S3Repository s3Primary, GoogleDriveRepository drive)
            implements AutoCloseable {
        List<PgVault> vaults() {
            return List.of(vault, vaultB);
        }

        @Override
        public void close() {
            s3.close();
            s3Primary.close();
            drive.close();
        }
    }

    Opened open(Clock clock, Map<String, String> env, int driveAttempts) {
        S3Repository s3 = s3(s3Bucket, env);
        S3Repository s3Primary = s3(this.s3Primary, env);
        DriveCredentials credentials = ((DriveCredentials.OAuth) DriveCredentials.oauth(driveClientId,
                Secret.of(env.get(DRIVE_SECRET)), Secret.of(env.get(DRIVE_REFRESH)))).withTokenUri(driveToken);
        GoogleDriveRepository drive;
        try {
            drive = GoogleDriveRepository.of(GoogleDriveRepositoryConfig.builder(credentials).rootUrl(driveRoot)
                    .folder(driveFolder).maxAttempts(driveAttempts)
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(100)).build());
        } catch (RuntimeException e) {
            s3.close();
            s3Primary.close();
            throw e;
        }
        PgVault vault = PgVault.builder().acceptUnauthenticated(true).strategy(new TortureStrategy(Duration.ofMillis(1500)))
                .repository(LocalRepository.at(primary)).clock(clock).leases(LEASES).debrisGrace(DEBRIS_GRACE)
                .tier(Tier.builder("s3", s3).retention(RetentionPolicy.keepLast(KEEP_S3)).build())
                .tier(Tier.builder("drive", drive).maxCopyWait(DRIVE_MAX_COPY_WAIT)
                        .pipeline(PipelineOptions.defaults().withEncryption(
                                Encryption.x25519(Secret.of(env.get(TIER_IDENTITY))))).build())
                .build();
        PgVault vaultB = PgVault.builder().acceptUnauthenticated(true).strategy(new TortureStrategy(Duration.ofMillis(1500)))
                .repository(s3Primary).clock(clock).leases(LEASES).debrisGrace(DEBRIS_GRACE)
                .tier(Tier.builder("local", LocalRepository.at(localTier)).retention(RetentionPolicy.keepLast(KEEP_S3))
                        .build())
                .build();
        return new Opened(vault, vaultB, s3, s3Primary, drive);
    }

    private S3Repository s3(String bucket, Map<String, String> env) {
        return S3Repository.of(S3RepositoryConfig.builder(bucket).endpoint(s3Endpoint).pathStyle(true)
                .region("us-east-1").credentials(S3Credentials.ofStatic(s3AccessKey, Secret.of(env.get(S3_SECRET))))
                .partSize(S3RepositoryConfig.MIN_PART_SIZE).maxAttempts(2).createBucket(true).build());
    }
}
