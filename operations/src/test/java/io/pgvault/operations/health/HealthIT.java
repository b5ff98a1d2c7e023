package io.pgvault.operations.health;

import io.pgvault.api.BackupSet;
import io.pgvault.api.Catalog;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RepositoryException;
import io.pgvault.api.event.Events;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierCopyException;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.operations.ConnectionSource;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Health of real pg_dump backups in a local repository as a test clock moves on. */
class HealthIT {
    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    @BeforeAll
    static void databases() {
        pg.cluster().createDatabase("shop");
        pg.cluster().psql("shop", "CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2)");
        pg.cluster().createDatabase("crm");
    }

    private static PgVault vault(String db, Path dir, MutableClock clock, BackupHealth health) {
        return PgVault.builder().acceptUnauthenticated(true).strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(pg.connection(db))
                        .build()))
                .repository(LocalRepository.at(dir)).pipeline(PipelineOptions.defaults()
                        .withEncryption(Encryption.none())).clock(clock).listener(health).build();
    }

    @Test
    @DisplayName("a set dated days in the future (a replica's clock ahead, a forged manifest) never counts as a fresh backup: WARNING with "
            + "'clock skew', and the age check still ages from the newest real backup")
    void clockSkew(@TempDir Path dir) throws Exception {
        MutableClock clock = new MutableClock("2026-03-01T02:00:00Z");
        BackupHealth health = BackupHealth.builder().clock(clock).drillAge(null).listingTtl(Duration.ZERO).build();
        PgVault shop = vault("shop", dir.resolve("shop"), clock, health);
        health.watch(shop);
        BackupSet real = shop.backup();
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var doc = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(
                dir.resolve("shop").resolve(Catalog.manifestKey(real.id())).toFile());
        var set = (com.fasterxml.jackson.databind.node.ObjectNode) doc.get("set");
        String ahead = "20260304T050000Z-a0a0a0";
        set.put("id", ahead);
        set.put("startedAt", "2026-03-04T05:00:00Z");
        set.put("finishedAt", "2026-03-04T05:00:10Z");
        set.putArray("objects");
        Files.writeString(dir.resolve("shop/manifests/" + ahead + ".json"), mapper.writeValueAsString(doc));
        assertThat(shop.list()).hasSize(2);

        clock.advance(Duration.ofMinutes(30));
        HealthReport report = health.check();
        assertThat(report.checks("backup-age-clock")).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo(HealthStatus.WARNING);
            assertThat(c.message()).contains("clock skew").contains(ahead);
        });
        assertThat(report.checks("backup-age")).singleElement().satisfies(c ->
                assertThat(c.facts().get("setId")).isEqualTo(real.id().value()));
        assertThat(report.status()).isEqualTo(HealthStatus.WARNING);

        clock.advance(Duration.ofHours(27)); // no backup ran since: the future set must not keep it green
        assertThat(health.check().checks("backup-age")).singleElement()
                .satisfies(c -> assertThat(c.status()).isEqualTo(HealthStatus.CRITICAL));
        assertThat(shop.latest()).contains(real);
    }

    @Test
    @DisplayName("backup age turns WARNING after 24 h and CRITICAL after 26 h, per source with its own thresholds; "
            + "a new backup makes it OK again")
    void ageing(@TempDir Path dir) {
        MutableClock clock = new MutableClock("2026-03-01T02:00:00Z");
        BackupHealth health = BackupHealth.builder().clock(clock).drillAge(null)
                .backupAge("crm", Thresholds.of(Duration.ofHours(6), Duration.ofHours(8))).build();
        PgVault shop = vault("shop", dir.resolve("shop"), clock, health);
        PgVault crm = vault("crm", dir.resolve("crm"), clock, health);
        health.watch(shop).watch(crm);
        assertThat(health.check().status()).isEqualTo(HealthStatus.CRITICAL); // nothing backed up yet
        assertThat(health.check().checks("backup-age")).allSatisfy(c ->
                assertThat(c.message()).startsWith("no complete backup in repository:"));

        BackupSet first = shop.backup();
        crm.backup();
        clock.advance(Duration.ofHours(1));
        HealthReport fresh = health.check();
        assertThat(fresh.status()).isEqualTo(HealthStatus.OK);
        assertThat(fresh.checks("backup-age")).hasSize(2).allSatisfy(c -> assertThat(c.facts().get("ageSeconds"))
                .isEqualTo(Duration.between(first.finishedAt(), clock.instant()).toSeconds()));

        clock.set(first.finishedAt().plus(Duration.ofHours(7)));
        HealthReport crmLate = health.check();
        assertThat(crmLate.checks("backup-age")).extracting(HealthCheck::component, HealthCheck::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("repository:" + shop.repository().id() + "/shop",
                                HealthStatus.OK),
                        org.assertj.core.groups.Tuple.tuple("repository:" + crm.repository().id() + "/crm",
                                HealthStatus.WARNING));

        clock.set(first.finishedAt().plus(Duration.ofHours(24)).plusSeconds(60));
        HealthCheck shopAge = health.check().checks("backup-age").get(0);
        assertThat(shopAge.status()).isEqualTo(HealthStatus.WARNING);
        assertThat(shopAge.message()).contains("is 24h old (warning over 24h, critical over 26h)");

        clock.set(first.finishedAt().plus(Duration.ofHours(26)).plusSeconds(60));
        HealthReport old = health.check();
        assertThat(old.status()).isEqualTo(HealthStatus.CRITICAL);
        assertThat(old.checks("backup-age")).allMatch(c -> c.status() == HealthStatus.CRITICAL);
        assertThat(old.toJson()).contains("\"status\" : \"CRITICAL\"").contains("\"ageSeconds\" : 93660");

        shop.backup();
        crm.backup();
        assertThat(health.check().status()).isEqualTo(HealthStatus.OK);
    }

    @Test
    @DisplayName("a failed backup shows as WARNING with its error code until a later backup succeeds")
    void failure(@TempDir Path dir) {
        MutableClock clock = new MutableClock("2026-03-01T02:00:00Z");
        BackupHealth health = BackupHealth.builder().clock(clock).drillAge(null).build();
        PgVault missing = vault("no_such_db", dir, clock, health);
        health.watch(missing);
        assertThatThrownBy(missing::backup).isInstanceOf(io.pgvault.api.PgVaultException.class);
        HealthCheck failed = health.check().checks("backup-failure").get(0);
        assertThat(failed.status()).isEqualTo(HealthStatus.WARNING);
        assertThat(failed.message()).startsWith("backup ").contains("failed at 2026-03-01T02:00:00Z")
                .contains("no_such_db");
        assertThat(failed.facts()).containsKey("errorCode").containsKey("setId");

        PgVault good = vault("shop", dir, clock, health); // same repository, a database that exists
        clock.advance(Duration.ofMinutes(5));
        good.backup();
        assertThat(health.check().checks("backup-failure").get(0).status()).isEqualTo(HealthStatus.OK);
    }

    @Test
    @DisplayName("tiers known only from events (e.g. a mirror outside PgVault's tiers): a copy failure is a WARNING "
            + "until a later copy; a watched tier catalog's age is graded by the tier's own thresholds")
    void eventOnlyTier(@TempDir Path dir) {
        MutableClock clock = new MutableClock("2026-03-01T02:00:00Z");
        BackupHealth health = BackupHealth.builder().clock(clock).drillAge(null)
                .tierAge("drive", Thresholds.of(Duration.ofDays(32), Duration.ofDays(40))).build();
        PgVault vault = vault("shop", dir.resolve("primary"), clock, health);
        health.watch(vault);
        BackupSet set = vault.backup();
        LocalRepository driveRepo = LocalRepository.at(dir.resolve("drive"));
        Catalog drive = new Catalog(driveRepo);
        health.watchTier("drive", drive);

        vault.events().on(new Events.TierCopyFailed(clock.instant(), "drive", set.id(),
                new RepositoryException("drive: quota exceeded (403 storageQuotaExceeded)", null)));
        HealthReport report = health.check();
        assertThat(report.checks("backup-age")).singleElement().extracting(HealthCheck::status)
                .isEqualTo(HealthStatus.OK);
        assertThat(report.checks("tier-copy")).singleElement().satisfies(c -> {
            assertThat(c.component()).isEqualTo("tier:drive");
            assertThat(c.status()).isEqualTo(HealthStatus.WARNING);
            assertThat(c.message()).contains("copy of " + set.id().value() + " to tier:drive failed")
                    .contains("quota exceeded");
            assertThat(c.facts()).containsEntry("errorCode", "REPOSITORY").containsEntry("retryable", true);
        });
        assertThat(report.checks("tier-age")).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo(HealthStatus.CRITICAL);
            assertThat(c.message()).contains("no complete backup in tier:drive");
        });
        assertThat(report.status()).isEqualTo(HealthStatus.CRITICAL);

        // the copy is retried and lands: objects copied, then the manifest committed in the tier's catalog
        for (io.pgvault.api.StoredObject o : set.objects()) {
            driveRepo.put(o.key(), out -> {
                try (java.io.InputStream in = vault.repository().open(o.key())) {
                    in.transferTo(out);
                }
            });
        }
        drive.commit(set);
        clock.advance(Duration.ofMinutes(10));
        vault.events().on(new Events.CopiedToTier(clock.instant(), "drive", set, set.storedBytes(),
                Duration.ofSeconds(3)));
        clock.advance(Duration.ofDays(20));
        HealthReport later = health.check();
        assertThat(later.checks("tier-copy")).singleElement().extracting(HealthCheck::status)
                .isEqualTo(HealthStatus.OK);
        assertThat(later.checks("tier-age")).singleElement().extracting(HealthCheck::status)
                .isEqualTo(HealthStatus.OK); // 20 days under the tier's 32 d
        assertThat(later.checks("backup-age")).singleElement().extracting(HealthCheck::status)
                .isEqualTo(HealthStatus.CRITICAL);
    }

    @Test
    @DisplayName("a vault's real tier that cannot be written: WARNING with the error while the primary is OK, the "
            + "tier's age CRITICAL; a required tier's failure is CRITICAL; after a sync everything is OK")
    void vaultTiers(@TempDir Path dir) throws Exception {
        MutableClock clock = new MutableClock("2026-03-01T02:00:00Z");
        BackupHealth health = BackupHealth.builder().clock(clock).drillAge(null).build();
        Path offsite = dir.resolve("offsite");
        Path vital = dir.resolve("vital");
        LocalRepository offsiteRepo = LocalRepository.at(offsite);
        LocalRepository vitalRepo = LocalRepository.at(vital);
        // a file where the tier needs its data directory: every copy fails with a repository error
        Files.writeString(offsite.resolve("data"), "x");
        Files.writeString(vital.resolve("data"), "x");
        PgVault vault = PgVault.builder().acceptUnauthenticated(true).strategy(new PgDumpStrategy(PgDumpConfig.builder()
                        .connection(pg.connection("shop")).build()))
                .repository(LocalRepository.at(dir.resolve("primary"))).pipeline(PipelineOptions.defaults()
                        .withEncryption(Encryption.none()))
                .tier(Tier.builder("offsite", offsiteRepo).build())
                .tier(Tier.builder("vital", vitalRepo).required(true).build())
                .clock(clock).listener(health).build();
        health.watch(vault);
        assertThatThrownBy(vault::backup).isInstanceOf(TierCopyException.class);
        HealthReport report = health.check();
        assertThat(report.checks("backup-age")).singleElement().extracting(HealthCheck::status)
                .isEqualTo(HealthStatus.OK);
        assertThat(report.checks("tier-copy")).extracting(HealthCheck::component, HealthCheck::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("tier:offsite", HealthStatus.WARNING),
                        org.assertj.core.groups.Tuple.tuple("tier:vital", HealthStatus.CRITICAL));
        HealthCheck offsiteCopy = report.checks("tier-copy").get(0);
        assertThat(offsiteCopy.message()).contains("to tier:offsite failed at").contains("1 set(s) missing");
        assertThat(offsiteCopy.facts()).containsEntry("missingSets", 1L).containsKey("errorCode");
        assertThat(report.checks("tier-age")).allSatisfy(c -> assertThat(c.status()).isEqualTo(HealthStatus.CRITICAL));
        assertThat(report.status()).isEqualTo(HealthStatus.CRITICAL);

        Files.delete(offsite.resolve("data"));
        Files.delete(vital.resolve("data"));
        clock.advance(Duration.ofMinutes(30));
        vault.sync();
        HealthReport after = health.check();
        assertThat(after.checks("tier-copy")).allSatisfy(c -> assertThat(c.status()).isEqualTo(HealthStatus.OK));
        assertThat(after.checks("tier-age")).allSatisfy(c -> {
            assertThat(c.status()).isEqualTo(HealthStatus.OK);
            assertThat(c.facts()).containsEntry("ageSeconds", 1800L); // the set started at 02:00, now 02:30
        });
        assertThat(after.status()).isEqualTo(HealthStatus.OK);
    }

    @Test
    @DisplayName("a deep verify is 'last verified', not proof of restorability: WARNING until a checked restore, "
            + "which then ages to WARNING and CRITICAL")
    void drillAge(@TempDir Path dir) {
        MutableClock clock = new MutableClock("2026-03-01T02:00:00Z");
        BackupHealth health = BackupHealth.builder().clock(clock).build();
        PgVault vault = vault("shop", dir, clock, health);
        health.watch(vault);
        BackupSet set = vault.backup();
        assertThat(health.check().checks("restore-drill")).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo(HealthStatus.WARNING);
            assertThat(c.message()).contains("has been restored and checked yet").contains("never verified");
        });
        assertThat(vault.verify(set.id(), true).problems()).isEmpty();
        assertThat(health.check().checks("restore-drill")).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo(HealthStatus.WARNING);
            assertThat(c.message()).contains("has been restored and checked yet").contains("last verified 0min ago");
            assertThat(c.facts()).containsEntry("lastVerifiedSetId", set.id().value())
                    .containsEntry("lastVerifiedAt", clock.instant());
        });
        health.restoreChecked(vault.repository().id(), new CheckedRestore(set.id(), clock.instant(), "rows match"));
        assertThat(health.check().checks("restore-drill")).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo(HealthStatus.OK);
            assertThat(c.facts()).containsEntry("lastRestoredCheckedSetId", set.id().value())
                    .containsEntry("verifiedAt", clock.instant());
        });
        clock.advance(Duration.ofDays(36));
        assertThat(health.check().checks("restore-drill").get(0).status()).isEqualTo(HealthStatus.WARNING);
        clock.advance(Duration.ofDays(10));
        assertThat(health.check().checks("restore-drill").get(0).status()).isEqualTo(HealthStatus.CRITICAL);
    }

    @Test
    @DisplayName("a cluster without archive_mode is CRITICAL for WAL archiving")
    void archiveModeOff() {
        ArchiveMonitor monitor = ArchiveMonitor.builder("plain", ConnectionSource.of(pg.connection())).build();
        HealthCheck c = monitor.check(java.time.Clock.systemUTC());
        assertThat(c.status()).isEqualTo(HealthStatus.CRITICAL);
        assertThat(c.message()).contains("archive_mode is off");
    }

    @Test
    @DisplayName("an unreachable cluster makes the archive check UNKNOWN, naming the server")
    void unreachable() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ArchiveMonitor monitor = ArchiveMonitor.builder("gone",
                ConnectionSource.of(pg.connection().toBuilder().port(port).build())).build();
        HealthCheck c = monitor.check(java.time.Clock.systemUTC());
        assertThat(c.status()).isEqualTo(HealthStatus.UNKNOWN);
        assertThat(c.message()).contains("127.0.0.1:" + port);
    }

}
