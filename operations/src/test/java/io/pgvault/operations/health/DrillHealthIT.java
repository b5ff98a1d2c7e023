package io.pgvault.operations.health;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvault.api.BackupSet;
import io.pgvault.api.PgVault;
import io.pgvault.api.StoredObject;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.operations.drill.DrillReport;
import io.pgvault.operations.drill.LogicalDrill;
import io.pgvault.operations.metrics.VaultMetrics;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.Directories;
import io.pgvault.testkit.MutableClock;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Health and metrics of real restore drills: a passing drill, its age, then a drill of a damaged set. */
class DrillHealthIT {
    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    private Path work;
    private Path repoDir;

    @BeforeEach
    void directories() throws IOException {
        // the throwaway server's OS user must be able to enter them: not JUnit's 0700 @TempDir
        work = Files.createTempDirectory(Path.of("/tmp"), "ops-drill-work-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        repoDir = Files.createTempDirectory("ops-drill-repo-");
    }

    @AfterEach
    void remove() throws IOException {
        Directories.deleteRecursively(work);
        Directories.deleteRecursively(repoDir);
    }

    @Test
    @DisplayName("a passing drill makes restore-drill OK with its RTO and sets the drill gauges; it ages to WARNING; "
            + "a failed drill of a damaged set is CRITICAL and counted")
    void drills() throws IOException {
        pg.cluster().createDatabase("shop");
        pg.cluster().psql("shop", "CREATE TABLE orders (id int PRIMARY KEY, note text); "
                + "INSERT INTO orders SELECT g, md5(g::text) FROM generate_series(1, 2000) g");
        // starts 36 days back, so that the second backup, after the clock moved on, is not dated ahead of the store
        MutableClock clock = new MutableClock(java.time.Instant.now().minus(Duration.ofDays(36)));
        BackupHealth health = BackupHealth.builder().clock(clock).build();
        VaultMetrics metrics = VaultMetrics.builder().clock(clock).build();
        PgVault vault = PgVault.builder().acceptUnauthenticated(true)
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(pg.connection("shop")).build()))
                .repository(LocalRepository.at(repoDir)).clock(clock).listener(health).listener(metrics).build();
        health.watch(vault);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.watch(vault).bindTo(registry);
        Tags repo = Tags.of("repository", vault.repository().id());
        BackupSet good = vault.backup();

        DrillReport passed = LogicalDrill.builder().vault(vault).workDirectory(work) // the vault's listeners hear it
                .backupId(good.id()).build().run();
        assertThat(passed.passed()).as(passed.toText()).isTrue();
        HealthCheck ok = health.check().checks("restore-drill").get(0);
        assertThat(ok.status()).isEqualTo(HealthStatus.OK);
        assertThat(ok.facts()).containsEntry("lastDrillPassed", true)
                .containsEntry("lastDrillSetId", good.id().value())
                .containsEntry("rtoSeconds", passed.rto().orElseThrow().toMillis() / 1000.0);
        assertThat(registry.get("pgvault.drill.rto").tags(repo).gauge().value())
                .isEqualTo(passed.rto().orElseThrow().toMillis() / 1000.0).isPositive();
        assertThat(registry.get("pgvault.drill.last.success").tags(repo).gauge().value())
                .isEqualTo(passed.finishedAt().toEpochMilli() / 1000.0);

        clock.advance(Duration.ofDays(36));
        assertThat(registry.get("pgvault.drill.last.success.age").tags(repo).gauge().value())
                .isEqualTo(Duration.between(passed.finishedAt(), clock.instant()).toMillis() / 1000.0);
        HealthCheck old = health.check().checks("restore-drill").get(0);
        assertThat(old.status()).isEqualTo(HealthStatus.WARNING);
        assertThat(old.message()).startsWith("last restored and checked 35d ago (set " + good.id()
                + ", restore drill passed; warning over 35d"); // 36 d less the drill's few seconds

        BackupSet damaged = vault.backup();
        StoredObject dump = damaged.objects().get(0);
        try (RandomAccessFile f = new RandomAccessFile(repoDir.resolve(dump.key()).toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x5a);
        }
        DrillReport failed = LogicalDrill.builder().vault(vault).workDirectory(work) // the vault's listeners hear it
                .backupId(damaged.id()).build().run();
        assertThat(failed.passed()).isFalse();
        HealthReport report = health.check();
        HealthCheck critical = report.checks("restore-drill").get(0);
        assertThat(critical.status()).isEqualTo(HealthStatus.CRITICAL);
        assertThat(critical.message()).contains("the last restore drill (set " + damaged.id() + ",")
                .contains("failed").contains(dump.key());
        assertThat(report.status()).isEqualTo(HealthStatus.CRITICAL);
        assertThat(registry.get("pgvault.drill.failures").tags(repo).counter().count()).isEqualTo(1);
        pg.cluster().dropDatabase("shop");
    }
}
