package io.pgvault.examples.tiers;

import io.pgvault.api.AgeKeys;
import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.DecryptionException;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.Secret;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.api.tier.BackupResult;
import io.pgvault.api.tier.PlacementReport;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierFilter;
import io.pgvault.backend.pgdump.DumpFormat;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.spi.Repository;
import io.pgvault.storage.gdrive.GoogleDriveRepository;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3Repository;
import io.pgvault.storage.s3.S3RepositoryConfig;
import io.pgvault.storage.s3.S3StorageClass;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.MutableClock;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import io.pgvault.testkit.s3.S3ProxyFixture;
import io.pgvault.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Deployment shape 3 of REQUIREMENTS.md with the 3-2-1 tiers of shape 1: pg_dump backups of a real PostgreSQL to a
 * local primary (7 daily / 4 weekly / 12 monthly), an S3 tier (S3Proxy, 30 days, another storage class) and a
 * month-end tier on Google Drive (the testkit's Drive v3 fake) re-encrypted with its own key; each location restores
 * alone, with the others taken away (directories moved, Drive credentials revoked).
 */
class LogicalTiersIT {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @RegisterExtension
    static final PostgresFixture PG = PostgresFixture.create();
    @RegisterExtension
    static final S3ProxyFixture S3 = S3ProxyFixture.create("pgvault-tiers-access",
            Secret.of("pgvault-tiers-secret-7c1e"));
    @RegisterExtension
    static final DriveServer DRIVE = new DriveServer();

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock("2026-01-01T00:00:00Z");

    @Test
    @DisplayName("local + S3 + month-end tiers: each receives what its filter selects, prunes by its own policy, "
            + "and restores the source alone")
    void threeTwoOne() throws IOException {
        PostgresCluster cluster = PG.cluster();
        cluster.createDatabase("shop");
        DemoDatabase.realistic(1).applyTo(cluster, "shop");
        cluster.psql("shop", "CREATE TABLE public.backup_marks (at text)");
        Secret primaryKey = AgeKeys.generateIdentity();
        Secret monthlyKey = AgeKeys.generateIdentity();
        Path primaryDir = Files.createDirectories(dir.resolve("primary"));

        try (S3Repository s3 = S3Repository.of(newBucket("offsite").build());
                GoogleDriveRepository drive = GoogleDriveRepository.of(DRIVE.newFolder("monthly").build())) {
            PgVault vault = PgVault.builder().acceptUnauthenticated(true)
                    .strategy(strategy(DumpFormat.CUSTOM))
                    .repository(LocalRepository.at(primaryDir))
                    .pipeline(PipelineOptions.defaults().withEncryption(Encryption.x25519(primaryKey)))
                    .tier(Tier.builder("s3", s3.withStorageClass(S3StorageClass.STANDARD_IA))
                            .retention(RetentionPolicy.keepWithin(Duration.ofDays(30))).build())
                    .tier(Tier.builder("monthly", drive)
                            .filter(TierFilter.lastOfMonth(BERLIN))
                            .pipeline(PipelineOptions.defaults().withEncryption(Encryption.x25519(monthlyKey)))
                            .build())
                    .clock(clock)
                    .build();

            Map<BackupId, Map<String, String>> prints = new LinkedHashMap<>();
            for (String at : List.of("2026-01-30T02:00:00Z", "2026-01-31T02:00:00Z", "2026-02-01T02:00:00Z",
                    "2026-03-05T02:00:00Z")) {
                clock.set(at);
                cluster.psql("shop", "INSERT INTO public.backup_marks VALUES ('" + at + "')");
                BackupResult result = vault.backupAndCopy();
                assertThat(result.allTiersSucceeded()).as(result.failedTiers().toString()).isTrue();
                prints.put(result.set().id(), DemoDatabase.fingerprint(cluster, "shop"));
            }
            List<BackupId> ids = List.copyOf(prints.keySet());

            assertThat(vault.onTier("monthly").list()).extracting(BackupSet::id)
                    .as("the last set of January and of February").containsExactly(ids.get(1), ids.get(2));
            assertThat(vault.onTier("s3").list()).hasSize(4);
            assertThat(vault.prune(RetentionPolicy.calendar().daily(7).weekly(4).monthly(12).zone(BERLIN).build(),
                    PruneMode.EXECUTE).removed()).isEmpty();
            assertThat(vault.pruneTiers(PruneMode.EXECUTE).get("monthly").removed()).isEmpty();
            assertThat(vault.onTier("s3").list()).extracting(BackupSet::id).containsExactly(ids.get(3));
            assertThat(vault.list()).hasSize(4);
            assertThat(vault.sync().copied()).as("pruned copies are not copied again").isEmpty();

            PlacementReport placement = vault.placement();
            System.out.println(placement.render());
            assertThat(placement.find(ids.get(2)).orElseThrow().copies()).containsOnlyKeys("primary", "monthly");
            assertThat(placement.find(ids.get(3)).orElseThrow().copies()).containsOnlyKeys("primary", "s3");
            assertThat(placement.find(ids.get(3)).orElseThrow().copies().get("s3").verifiedAt()).isPresent();
            assertThat(placement.toJson()).contains("\"monthly\"", "\"s3\"");

            Path bucket = S3.server().bucketDirectory(s3.config().bucket());
            PipelineOptions primaryKeys = PipelineOptions.defaults().withEncryption(Encryption.x25519(primaryKey));
            PipelineOptions monthlyKeys = PipelineOptions.defaults().withEncryption(Encryption.x25519(monthlyKey));

            try (Aside away = Aside.of(primaryDir, bucket)) {
                restoreAlone(drive, monthlyKeys, ids.get(2), "shop_from_monthly");
                assertThat(DemoDatabase.fingerprint(cluster, "shop_from_monthly")).isEqualTo(prints.get(ids.get(2)));
                assertThatThrownBy(() -> restoreAlone(drive, primaryKeys, ids.get(1), "shop_wrong_key"))
                        .as("the month-end tier needs its own key").isInstanceOf(DecryptionException.class);
            }
            DRIVE.fake().revokeCredentials(); // Drive gone for the next two restores
            try {
                try (Aside away = Aside.of(primaryDir)) {
                    restoreAlone(s3, primaryKeys, ids.get(3), "shop_from_s3");
                    assertThat(DemoDatabase.fingerprint(cluster, "shop_from_s3")).isEqualTo(prints.get(ids.get(3)));
                }
                try (Aside away = Aside.of(bucket)) {
                    restoreAlone(LocalRepository.at(primaryDir), primaryKeys, ids.get(0), "shop_from_primary");
                    assertThat(DemoDatabase.fingerprint(cluster, "shop_from_primary"))
                            .isEqualTo(prints.get(ids.get(0)));
                }
            } finally {
                DRIVE.fake().restoreCredentials();
            }
        }
    }

    @Test
    @DisplayName("a process killed in the middle of a copy to S3: the next sync completes it, sending only what is "
            + "missing, and the primary keeps everything")
    void killedMidCopy() throws IOException {
        PostgresCluster cluster = PG.cluster();
        cluster.createDatabase("ledger");
        DemoDatabase.realistic(1).applyTo(cluster, "ledger");
        Map<String, String> print = DemoDatabase.fingerprint(cluster, "ledger");
        Path primaryDir = Files.createDirectories(dir.resolve("primary"));
        Map<String, AtomicInteger> puts = RecordingRepository.counts();

        try (S3Repository s3 = S3Repository.of(newBucket("killed").build())) {
            PgVault.Builder builder = PgVault.builder().acceptUnauthenticated(true)
                    .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(PG.connection("ledger"))
                            .format(DumpFormat.DIRECTORY).build()))
                    .repository(LocalRepository.at(primaryDir));
            PgVault dying = builder.tier(Tier.builder("s3", new RecordingRepository(s3, puts, 3)).build()).build();
            assertThatThrownBy(dying::backup).isInstanceOf(RecordingRepository.Killed.class);
            BackupSet set = dying.list().get(0);
            assertThat(set.objects()).hasSizeGreaterThan(4);
            assertThat(dying.onTier("s3").list()).as("a half-copied set is not listed").isEmpty();

            PgVault restarted = PgVault.builder().acceptUnauthenticated(true).strategy(dying.strategy()).repository(LocalRepository.at(primaryDir))
                    .tier(Tier.builder("s3", new RecordingRepository(s3, puts, -1)).build()).build();
            var report = restarted.sync();

            assertThat(report.succeeded()).as(report.render()).isTrue();
            assertThat(report.copied()).singleElement().satisfies(c -> {
                assertThat(c.objectsReused()).isEqualTo(3);
                assertThat(c.objectsCopied()).isEqualTo(set.objects().size() - 3);
            });
            assertThat(puts).allSatisfy((key, n) -> assertThat(n.get()).as(key).isEqualTo(
                    key.startsWith("intents/") ? 2 : 1)); // each attempt claims the set anew
            assertThat(restarted.onTier("s3").list()).extracting(BackupSet::id).containsExactly(set.id());
            assertThat(restarted.verify(set.id(), true).problems()).as("the primary set is intact").isEmpty();
            assertThat(restarted.onTier("s3").verify(set.id(), true).problems()).isEmpty();
            restoreAlone(s3, PipelineOptions.defaults(), set.id(), "ledger_from_s3");
            assertThat(DemoDatabase.fingerprint(cluster, "ledger_from_s3")).isEqualTo(print);
        }
    }

    private static PgDumpStrategy strategy(DumpFormat format) {
        return new PgDumpStrategy(PgDumpConfig.builder().connection(PG.connection("shop")).format(format).build());
    }

    /** Restores with a vault that knows only {@code repository}, as an operator with nothing else left would. */
    private static void restoreAlone(Repository repository, PipelineOptions keys, BackupId id, String target) {
        PgVault alone = PgVault.builder().acceptUnauthenticated(true)
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(PG.connection("postgres")).build()))
                .repository(repository).pipeline(keys).build();
        alone.restore(RestoreRequest.builder().backupId(id).targetDatabase(target).build());
    }

    /** @return settings for a new bucket on the S3 server, created when the repository opens */
    private static S3RepositoryConfig.Builder newBucket(String stem) {
        S3ProxyServer server = S3.server();
        return S3RepositoryConfig.builder(S3ProxyServer.uniqueBucket(stem))
                .endpoint(server.endpoint())
                .pathStyle(true)
                .region(S3ProxyServer.REGION)
                .credentials(S3Credentials.ofStatic(server.accessKey(), server.secretKey()))
                .partSize(S3RepositoryConfig.MIN_PART_SIZE)
                .createBucket(true);
    }

    /** Moves directories away (a deleted bucket, a lost disk) and puts them back when closed. */
    private static final class Aside implements AutoCloseable {
        private final List<Path> moved;

        private Aside(List<Path> moved) {
            this.moved = moved;
        }

        static Aside of(Path... dirs) throws IOException {
            for (Path d : dirs) {
                Files.move(d, d.resolveSibling(d.getFileName() + ".aside"));
            }
            return new Aside(List.of(dirs));
        }

        @Override
        public void close() throws IOException {
            for (Path d : moved) {
                Files.move(d.resolveSibling(d.getFileName() + ".aside"), d);
            }
        }
    }
}
