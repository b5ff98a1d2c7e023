package io.pgvault.operations.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvault.api.BackupSet;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgVault;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.tier.BackupResult;
import io.pgvault.api.tier.Tier;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.operations.ConnectionSource;
import io.pgvault.operations.health.ArchiveMonitor;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.MutableClock;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/** What a dashboard reads, from real pg_dump backups, a real tier that fails and recovers, and a test clock. */
class VaultMetricsIT {
    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create(b -> b.conf("wal_level = replica", "archive_mode = on",
            "archive_command = 'false'"));

    @BeforeAll
    static void database() {
        pg.cluster().createDatabase("shop");
        pg.cluster().psql("shop", "CREATE TABLE orders (id int, note text); "
                + "INSERT INTO orders SELECT g, md5(g::text) FROM generate_series(1, 5000) g");
    }

    private static double gauge(MeterRegistry r, String name, Tags tags) {
        return r.get(name).tags(tags).gauge().value();
    }

    @Test
    @DisplayName("last-success timestamp and age, sizes, duration, failures, tier failures and recovery, last proof "
            + "and restore duration; a restarted service seeds the same values from the catalogs")
    void dashboard(@TempDir Path dir) throws Exception {
        MutableClock clock = new MutableClock("2026-03-01T02:00:00Z");
        Path offsite = dir.resolve("offsite");
        LocalRepository offsiteRepo = LocalRepository.at(offsite);
        Files.writeString(offsite.resolve("data"), "a file where the tier needs a directory");
        VaultMetrics metrics = VaultMetrics.builder().clock(clock).build();
        PgVault vault = PgVault.builder().acceptUnauthenticated(true)
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(pg.connection("shop")).build()))
                .repository(LocalRepository.at(dir.resolve("primary")))
                .pipeline(PipelineOptions.defaults().withEncryption(Encryption.none()))
                .tier(Tier.builder("offsite", offsiteRepo).build())
                .clock(clock).listener(metrics).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.watch(vault).bindTo(registry);
        Tags repo = Tags.of("repository", vault.repository().id(), "strategy", "pgdump");
        assertThat(gauge(registry, "pgvault.backup.last.success", repo)).isNaN();
        assertThat(gauge(registry, "pgvault.backup.last.success.age", repo)).isNaN();

        BackupResult result = vault.backupAndCopy();
        BackupSet set = result.set();
        assertThat(result.failedTiers()).isNotEmpty();
        assertThat(gauge(registry, "pgvault.backup.last.success", repo))
                .isCloseTo(set.finishedAt().toEpochMilli() / 1000.0, within(0.001));
        clock.advance(Duration.ofHours(2));
        double age = gauge(registry, "pgvault.backup.last.success.age", repo);
        assertThat(age).isCloseTo(Duration.between(set.finishedAt(), clock.instant()).toMillis() / 1000.0,
                within(0.001)).isGreaterThanOrEqualTo(7200);
        clock.advance(Duration.ofHours(1));
        assertThat(gauge(registry, "pgvault.backup.last.success.age", repo)).isCloseTo(age + 3600, within(0.001));
        assertThat(gauge(registry, "pgvault.backup.size", repo.and("kind", "stored")))
                .isEqualTo((double) set.storedBytes()).isPositive();
        assertThat(gauge(registry, "pgvault.backup.size", repo.and("kind", "logical")))
                .isEqualTo((double) set.logicalBytes()).isGreaterThan(gauge(registry, "pgvault.backup.size",
                        repo.and("kind", "stored")));
        assertThat(registry.get("pgvault.backup.duration").tags(repo).timer().count()).isEqualTo(1);
        assertThat(registry.get("pgvault.backup.failures").tags(repo).counter().count()).isZero();
        Tags offsiteTier = Tags.of("tier", "offsite");
        assertThat(registry.get("pgvault.tier.copy.failures").tags(offsiteTier).counter().count()).isEqualTo(1);
        assertThat(gauge(registry, "pgvault.tier.last.success", offsiteTier)).isNaN();

        // the tier comes back: sync copies what it lacks
        Files.delete(offsite.resolve("data"));
        vault.sync();
        assertThat(gauge(registry, "pgvault.tier.last.success", offsiteTier))
                .isEqualTo(clock.instant().toEpochMilli() / 1000.0);
        clock.advance(Duration.ofMinutes(30));
        assertThat(gauge(registry, "pgvault.tier.last.success.age", offsiteTier)).isEqualTo(1800.0);

        // a failing backup of another database in another repository
        PgVault broken = PgVault.builder().acceptUnauthenticated(true)
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(pg.connection("gone")).build()))
                .repository(LocalRepository.at(dir.resolve("other")))
                .pipeline(PipelineOptions.defaults().withEncryption(Encryption.none()))
                .clock(clock).listener(metrics).build();
        assertThatThrownBy(broken::backup).isInstanceOf(PgVaultException.class);
        assertThatThrownBy(broken::backup).isInstanceOf(PgVaultException.class);
        Tags brokenRepo = Tags.of("repository", broken.repository().id(), "strategy", "pgdump");
        assertThat(registry.get("pgvault.backup.failures").tags(brokenRepo).counter().count()).isEqualTo(2);
        assertThat(gauge(registry, "pgvault.backup.last.success.age", brokenRepo)).isNaN();

        // proof of restorability and a restore
        Tags drillTags = Tags.of("repository", vault.repository().id());
        assertThat(vault.verify(set.id(), true).problems()).isEmpty();
        assertThat(gauge(registry, "pgvault.drill.last.success", drillTags))
                .isEqualTo(clock.instant().toEpochMilli() / 1000.0);
        vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("shop_copy").build());
        assertThat(registry.get("pgvault.restore.duration").tags(drillTags).timer().count()).isEqualTo(1);
        metrics.drillPassed(vault.repository().id(), clock.instant(), Duration.ofSeconds(42));
        assertThat(gauge(registry, "pgvault.drill.rto", drillTags)).isEqualTo(42.0);

        // a restarted service: new meters, seeded from the catalogs
        SimpleMeterRegistry restarted = new SimpleMeterRegistry();
        VaultMetrics.builder().clock(clock).build().watch(vault).bindTo(restarted);
        assertThat(gauge(restarted, "pgvault.backup.last.success", repo))
                .isEqualTo(gauge(registry, "pgvault.backup.last.success", repo));
        assertThat(gauge(restarted, "pgvault.drill.last.success", drillTags))
                .isEqualTo(gauge(registry, "pgvault.drill.last.success", drillTags));
        assertThat(gauge(restarted, "pgvault.tier.last.success", offsiteTier)).isPositive();
        pg.cluster().dropDatabase("shop_copy");
    }

    @Test
    @DisplayName("archive gauges show failing archiving and its backlog, read at most once per cache period")
    void archive() {
        MutableClock clock = new MutableClock("2026-03-01T02:00:00Z");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        VaultMetrics metrics = VaultMetrics.builder().clock(clock).archiveCacheFor(Duration.ofSeconds(30)).build();
        metrics.watchArchive(ArchiveMonitor.builder("main", ConnectionSource.of(pg.connection())).build());
        metrics.bindTo(registry);
        Tags tags = Tags.of("archive", "main");
        pg.cluster().psql("postgres", "CREATE TABLE IF NOT EXISTS w (x int); INSERT INTO w VALUES (1); "
                + "SELECT pg_switch_wal()");
        await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
            clock.advance(Duration.ofSeconds(31)); // past the cache period: the next read queries the server
            assertThat(gauge(registry, "pgvault.archive.failing", tags)).isEqualTo(1.0);
        });
        assertThat(gauge(registry, "pgvault.archive.pending.segments", tags)).isGreaterThanOrEqualTo(1.0);
        assertThat(gauge(registry, "pgvault.archive.lag", tags)).isNotNaN();
    }
}
