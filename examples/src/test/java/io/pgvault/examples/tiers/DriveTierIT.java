package io.pgvault.examples.tiers;

import io.pgvault.api.AgeKeys;
import io.pgvault.api.BackupSet;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.Secret;
import io.pgvault.api.tier.BackupResult;
import io.pgvault.api.tier.SyncReport;
import io.pgvault.api.tier.Tier;
import io.pgvault.backend.pgdump.DumpFormat;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.storage.gdrive.GoogleDriveRepository;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import io.pgvault.testkit.gdrive.DriveEndpoint;
import io.pgvault.testkit.gdrive.DriveFault;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A Google Drive tier (the testkit's Drive v3 fake, with the real Google client) under faults: rate limits, 5xx and
 * connections cut mid-upload while copying; the process killed between two objects; a tier down for longer than
 * the retries last. Every time the next sync completes the tier with verified copies, no file twice, and nothing on
 * the primary lost; the Drive copy, re-encrypted with its own key, restores the source alone.
 */
class DriveTierIT {
    @RegisterExtension
    static final PostgresFixture PG = PostgresFixture.create();
    @RegisterExtension
    static final DriveServer DRIVE = new DriveServer();

    private static Map<String, String> print;

    @TempDir
    Path dir;

    private final Secret driveKey = AgeKeys.generateIdentity();
    private final PipelineOptions driveKeys = PipelineOptions.defaults().withEncryption(Encryption.x25519(driveKey));

    @BeforeAll
    static void database() {
        PostgresCluster cluster = PG.cluster();
        cluster.createDatabase("shop");
        DemoDatabase.realistic(1).applyTo(cluster, "shop");
        DemoDatabase.randomText(1).applyTo(cluster, "shop"); // a table file of over 256 KiB: several Drive chunks
        print = DemoDatabase.fingerprint(cluster, "shop");
    }

    private PgVault.Builder vault(Path primary) {
        return PgVault.builder().acceptUnauthenticated(true)
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(PG.connection("shop"))
                        .format(DumpFormat.DIRECTORY).build()))
                .repository(LocalRepository.at(primary))
                .pipeline(PipelineOptions.defaults().withCompression(io.pgvault.api.Compression.none()));
    }

    @Test
    @DisplayName("rate limits, 5xx and a cut connection during the copy are ridden out: the copy completes, verified, "
            + "each file once, and restores alone")
    void transientFaults() throws IOException {
        try (GoogleDriveRepository drive = GoogleDriveRepository.of(DRIVE.newFolder("transient").build())) {
            PgVault vault = vault(Files.createDirectories(dir.resolve("primary")))
                    .tier(Tier.builder("drive", drive).pipeline(driveKeys).build()).build();
            DRIVE.fake().failNext(DriveEndpoint.UPLOAD_START, 2, DriveFault.userRateLimitExceeded());
            DRIVE.fake().failNext(DriveEndpoint.UPLOAD_CHUNK, 1, DriveFault.serverError(503));
            DRIVE.fake().failNext(DriveEndpoint.LIST, 1, DriveFault.tooManyRequests());
            DRIVE.fake().cutNextChunk(1, 100_000);
            int starts = DRIVE.fake().requests(DriveEndpoint.UPLOAD_START);

            BackupResult result = vault.backupAndCopy();

            assertThat(result.allTiersSucceeded()).as(result.tiers().toString()).isTrue();
            int objects = result.set().objects().size();
            assertThat(DRIVE.fake().requests(DriveEndpoint.UPLOAD_START) - starts)
                    .as("one session per object, journal entry and manifest, the copier's claim and the store-clock "
                            + "probe, plus the two rate-limited attempts")
                    .isEqualTo(2 * objects + 1 + 2 + 2);
            assertThat(DRIVE.duplicateNames()).isEmpty();
            assertThat(DRIVE.fake().openUploadSessions()).isZero();
            restoreFromDriveAlone(drive, result.set(), "shop_transient");
        } finally {
            DRIVE.fake().clearFaults();
        }
    }

    @Test
    @DisplayName("the process killed mid-copy: a restarted sync sends only what is missing, no file twice, and the "
            + "primary keeps everything")
    void killedMidCopy() throws IOException {
        Path primary = Files.createDirectories(dir.resolve("primary"));
        Map<String, AtomicInteger> puts = RecordingRepository.counts();
        try (GoogleDriveRepository drive = GoogleDriveRepository.of(DRIVE.newFolder("killed").build())) {
            PgVault dying = vault(primary).tier(Tier.builder("drive", new RecordingRepository(drive, puts, 4))
                    .pipeline(driveKeys).build()).build();
            assertThatThrownBy(dying::backup).isInstanceOf(RecordingRepository.Killed.class);
            BackupSet set = dying.list().get(0);
            assertThat(dying.onTier("drive").list()).as("a half-copied set is never listed").isEmpty();

            PgVault restarted = vault(primary).tier(Tier.builder("drive", new RecordingRepository(drive, puts, -1))
                    .pipeline(driveKeys).build()).build();
            SyncReport report = restarted.sync();

            assertThat(report.succeeded()).as(report.render()).isTrue();
            assertThat(report.copied()).singleElement().satisfies(c -> {
                assertThat(c.objectsReused()).isEqualTo(4);
                assertThat(c.objectsCopied()).isEqualTo(set.objects().size() - 4);
            });
            assertThat(puts).as("no object stored twice (each attempt claims the set anew and reads the store's "
                    + "clock)").allSatisfy((key, n) -> assertThat(n.get()).as(key).isEqualTo(
                    key.startsWith("intents/") ? 2 : 1));
            assertThat(DRIVE.duplicateNames()).isEmpty();
            assertThat(restarted.sync().copied()).isEmpty();
            assertThat(restarted.verify(set.id(), true).problems()).as("the primary set is intact").isEmpty();
            restoreFromDriveAlone(drive, set, "shop_killed");
        }
    }

    @Test
    @DisplayName("Drive down for longer than the retries last: the backup stands, the failure is reported, and the "
            + "next sync completes the tier")
    void tierDown() throws IOException {
        try (GoogleDriveRepository drive = GoogleDriveRepository.of(DRIVE.newFolder("down").maxAttempts(2).build())) {
            PgVault vault = vault(Files.createDirectories(dir.resolve("primary")))
                    .tier(Tier.builder("drive", drive).pipeline(driveKeys).build()).build();
            DRIVE.fake().failNext(DriveEndpoint.UPLOAD_START, 1000, DriveFault.serverError(500));

            BackupResult result = vault.backupAndCopy();

            assertThat(vault.list()).extracting(BackupSet::id).containsExactly(result.set().id());
            assertThat(result.allTiersSucceeded()).isFalse();
            assertThat(vault.tierHealth().get(0).missing()).containsExactly(result.set().id());
            assertThat(vault.onTier("drive").list()).isEmpty();

            DRIVE.fake().clearFaults();
            assertThat(vault.sync().succeeded()).isTrue();
            assertThat(vault.tierHealth().get(0).healthy()).isTrue();
            assertThat(DRIVE.duplicateNames()).isEmpty();
        } finally {
            DRIVE.fake().clearFaults();
        }
    }

    @Test
    @DisplayName("a Drive copy whose stored bytes differ from those sent is refused and not listed; sync replaces it")
    void corruptUpload() throws IOException {
        try (GoogleDriveRepository drive = GoogleDriveRepository.of(DRIVE.newFolder("corrupt").build())) {
            java.util.concurrent.atomic.AtomicBoolean corrupted = new java.util.concurrent.atomic.AtomicBoolean();
            io.pgvault.spi.Repository corruptingToc = new io.pgvault.testkit.ForwardingRepository(drive) {
                @Override
                public io.pgvault.spi.ObjectInfo put(String key, io.pgvault.spi.ObjectWriter writer) {
                    if (key.contains("toc.dat") && corrupted.compareAndSet(false, true)) {
                        DRIVE.fake().corruptNextUpload(); // the claim and the other objects go up intact
                    }
                    return super.put(key, writer);
                }
            };
            PgVault vault = vault(Files.createDirectories(dir.resolve("primary")))
                    .tier(Tier.builder("drive", corruptingToc).build()).build();

            BackupResult result = vault.backupAndCopy();

            assertThat(result.allTiersSucceeded()).isFalse();
            assertThat(result.failedTiers().get(0).failures().get(0).error().orElseThrow())
                    .hasMessageContaining("sent").hasMessageContaining("toc.dat");
            assertThat(vault.onTier("drive").list()).isEmpty();
            assertThat(vault.sync().succeeded()).isTrue();
            assertThat(vault.onTier("drive").verify(result.set().id(), false).problems()).isEmpty();
        }
    }

    private void restoreFromDriveAlone(GoogleDriveRepository drive, BackupSet set, String target) {
        PgVault alone = PgVault.builder().acceptUnauthenticated(true)
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(PG.connection("postgres")).build()))
                .repository(drive).pipeline(driveKeys).build();
        alone.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(target).build());
        assertThat(DemoDatabase.fingerprint(PG.cluster(), target)).isEqualTo(print);
    }
}
