package io.pgvault.storage.s3;

import io.pgvault.api.BackupSet;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.StoredObject;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.PostgresFixture;
import io.pgvault.testkit.s3.S3ProxyFixture;
import io.pgvault.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static io.pgvault.storage.s3.S3ProxyConfigs.config;
import static org.assertj.core.api.Assertions.assertThat;

/** A pg_dump backup through PgVault into S3 (S3Proxy on loopback), and its restore into a new database. */
class S3PgDumpRoundTripIT {
    @RegisterExtension
    static final PostgresFixture PG = PostgresFixture.create();
    @RegisterExtension
    static final S3ProxyFixture S3 = S3ProxyFixture.create();

    @Test
    @DisplayName("a pg_dump backup streamed into S3 in several parts restores to an identical database")
    void backupAndRestore() {
        PG.cluster().createDatabase("shop");
        DemoDatabase.randomText(24).applyTo(PG.cluster(), "shop");
        Map<String, String> fingerprint = DemoDatabase.fingerprint(PG.cluster(), "shop");
        try (S3Repository repository = S3Repository.of(config(S3.server(), S3ProxyServer.uniqueBucket("pgdump"))
                .prefix("prod").partsInFlight(2).build())) {
            PgVault vault = PgVault.builder().acceptUnauthenticated(true)
                    .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(PG.connection("shop")).build()))
                    .repository(repository).pipeline(PipelineOptions.defaults()).processes(ProcessRunner.local())
                    .build();

            BackupSet set = vault.backup();
            assertThat(vault.verify(set.id(), true).problems()).isEmpty();
            assertThat(set.objects()).extracting(StoredObject::storedBytes)
                    .anySatisfy(bytes -> assertThat(bytes).as("spans several parts")
                            .isGreaterThan(S3RepositoryConfig.MIN_PART_SIZE));
            assertThat(vault.list()).extracting(BackupSet::id).containsExactly(set.id());

            vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("shop_copy").build());
            assertThat(DemoDatabase.fingerprint(PG.cluster(), "shop_copy")).isEqualTo(fingerprint);
        }
    }

    @Test
    @DisplayName("a restore of an authenticated, age-encrypted set from S3 reads each stored byte once")
    void readsOnce() {
        PG.cluster().createDatabase("ledger");
        DemoDatabase.randomText(8).applyTo(PG.cluster(), "ledger");
        Map<String, String> fingerprint = DemoDatabase.fingerprint(PG.cluster(), "ledger");
        io.pgvault.api.Secret identity = io.pgvault.api.AgeKeys.generateIdentity();
        java.util.concurrent.atomic.AtomicLong dataBytesRead = new java.util.concurrent.atomic.AtomicLong();
        try (S3Repository s3 = S3Repository.of(config(S3.server(), S3ProxyServer.uniqueBucket("once")).build())) {
            io.pgvault.spi.Repository counting = new io.pgvault.testkit.ForwardingRepository(s3) {
                @Override
                public java.io.InputStream open(String key) {
                    java.io.InputStream in = super.open(key);
                    if (!key.startsWith("data/")) {
                        return in;
                    }
                    return new java.io.FilterInputStream(in) {
                        @Override
                        public int read() throws java.io.IOException {
                            int b = super.read();
                            if (b >= 0) {
                                dataBytesRead.incrementAndGet();
                            }
                            return b;
                        }

                        @Override
                        public int read(byte[] b, int off, int len) throws java.io.IOException {
                            int n = super.read(b, off, len);
                            if (n > 0) {
                                dataBytesRead.addAndGet(n);
                            }
                            return n;
                        }
                    };
                }
            };
            PgVault vault = PgVault.builder()
                    .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(PG.connection("ledger")).build()))
                    .repository(counting).pipeline(PipelineOptions.defaults()
                            .withEncryption(io.pgvault.api.Encryption.x25519(identity)))
                    .build();
            BackupSet set = vault.backup();
            long stored = set.objects().stream().mapToLong(StoredObject::storedBytes).sum();
            dataBytesRead.set(0);

            vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("ledger_copy").build());

            assertThat(dataBytesRead.get()).isEqualTo(stored);
            assertThat(DemoDatabase.fingerprint(PG.cluster(), "ledger_copy")).isEqualTo(fingerprint);
        }
    }

    @Test
    @DisplayName("a restore waiting for its objects (as for a Glacier retrieval) keeps its set through a prune that "
            + "another process runs on the same bucket, then restores it identically; the next prune removes it")
    void pruneWhileRestoreWaits() throws Exception {
        PG.cluster().createDatabase("orders");
        DemoDatabase.randomText(2).applyTo(PG.cluster(), "orders");
        Map<String, String> fingerprint = DemoDatabase.fingerprint(PG.cluster(), "orders");
        String bucket = S3ProxyServer.uniqueBucket("reading");
        java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch retrieved = new java.util.concurrent.CountDownLatch(1);
        try (S3Repository s3 = S3Repository.of(config(S3.server(), bucket).prefix("prod").build());
                S3Repository elsewhere = S3Repository.of(config(S3.server(), bucket).prefix("prod").build())) {
            io.pgvault.spi.Repository archived = new io.pgvault.testkit.ForwardingRepository(s3) {
                @Override
                public void prepareRead(java.util.Collection<String> keys) {
                    waiting.countDown(); // the objects are being brought back: hours, in real life
                    try {
                        assertThat(retrieved.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    super.prepareRead(keys);
                }
            };
            PgDumpStrategy strategy = new PgDumpStrategy(PgDumpConfig.builder().connection(PG.connection("orders"))
                    .build());
            PgVault restoring = PgVault.builder().acceptUnauthenticated(true).strategy(strategy).repository(archived)
                    .build();
            PgVault service = PgVault.builder().acceptUnauthenticated(true).strategy(strategy).repository(elsewhere)
                    .build();
            BackupSet old = service.backup();
            service.backup();

            java.util.concurrent.CompletableFuture<io.pgvault.api.RestoreResult> restore =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> restoring.restore(RestoreRequest
                            .builder().backupId(old.id()).targetDatabase("orders_copy").build()));
            assertThat(waiting.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            io.pgvault.api.retention.PruneReport during = service.prune(
                    io.pgvault.api.retention.RetentionPolicy.keepLast(1), io.pgvault.api.retention.PruneMode.EXECUTE);
            retrieved.countDown();

            assertThat(during.removed()).isEmpty();
            assertThat(during.skipped()).singleElement().asString().startsWith(old.id() + ": being read (reading-")
                    .endsWith(", restore)");
            assertThat(restore.get(120, java.util.concurrent.TimeUnit.SECONDS).set().id()).isEqualTo(old.id());
            assertThat(DemoDatabase.fingerprint(PG.cluster(), "orders_copy")).isEqualTo(fingerprint);
            assertThat(elsewhere.list("records/")).as("the restore's claim is gone with it").isEmpty();
            assertThat(service.prune(io.pgvault.api.retention.RetentionPolicy.keepLast(1),
                    io.pgvault.api.retention.PruneMode.EXECUTE).removed()).extracting(BackupSet::id)
                    .containsExactly(old.id());
        }
    }
}
