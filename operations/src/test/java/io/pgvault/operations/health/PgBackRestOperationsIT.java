package io.pgvault.operations.health;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.operations.ArchivingCluster;
import io.pgvault.operations.ConnectionSource;
import io.pgvault.operations.schedule.Job;
import io.pgvault.operations.schedule.JobOutcome;
import io.pgvault.operations.schedule.JobResult;
import io.pgvault.operations.schedule.JobStore;
import io.pgvault.operations.schedule.MisfirePolicy;
import io.pgvault.operations.schedule.PostgresAdvisoryGuard;
import io.pgvault.operations.schedule.RunOn;
import io.pgvault.operations.schedule.Scheduler;
import io.pgvault.testkit.MutableClock;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * WAL-archive health of a cluster archiving through real pgBackRest 2.45 ({@code archive_command = pgbackrest
 * archive-push}): working, then failing while the repository's archive cannot be written (pg_stat_archiver and
 * {@code pgbackrest check} both say so), then recovered; backup age read from {@code pgbackrest info}; and weekly
 * full + daily incremental pgBackRest backups run by the scheduler under the guard.
 */
class PgBackRestOperationsIT {
    private static ArchivingCluster cluster;
    private static Path base;
    private static PostgresCluster pg;
    private static PgBackRest pgbr;
    private static ArchiveMonitor monitor;

    @BeforeAll
    static void setUp() throws IOException {
        Assumptions.assumeTrue(ArchivingCluster.pgbackrestInstalled(),
                "pgbackrest is not installed (apt-get install -y pgbackrest)");
        cluster = ArchivingCluster.start("ops-archive-pgbr-", "ops", Duration.ofSeconds(10));
        base = cluster.base;
        pg = cluster.pg;
        pgbr = cluster.pgbr;
        monitor = ArchiveMonitor.builder("ops", ConnectionSource.of(pg.connection()))
                .toolCheck("pgbackrest check", () -> pgbr.check(Duration.ofSeconds(3)))
                .toolCheckEvery(Duration.ZERO)
                .build();
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (cluster != null) {
            setArchiveWritable(true);
            cluster.close();
        }
    }

    private static void setArchiveWritable(boolean writable) throws IOException {
        Path archive = base.resolve("repo1/archive/ops");
        if (Files.exists(archive)) {
            Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString(writable ? "rwxr-x---" : "---------"));
        }
    }

    private static void writeAndSwitch() {
        pg.psql("postgres", "CREATE TABLE IF NOT EXISTS t (x text); INSERT INTO t SELECT md5(g::text) "
                + "FROM generate_series(1, 1000) g; SELECT pg_switch_wal()");
    }

    @Test
    @DisplayName("archiving through pgBackRest: OK with lag 0 and a passing check; with the archive unwritable "
            + "CRITICAL from pg_stat_archiver and pgbackrest check, with the backlog; OK again once fixed")
    void archiveThroughPgBackRest() throws IOException {
        BackupHealth health = BackupHealth.builder().drillAge(null).build()
                .watch("pgbackrest:ops/repo1", () -> pgbr.list(1)).watchArchive(monitor);
        pgbr.backup(BackupType.FULL, 1);
        writeAndSwitch();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(monitor.status().failing()).isFalse();
            assertThat(monitor.status().pendingSegments()).contains(0L);
        });
        HealthReport ok = health.check();
        assertThat(ok.status()).as(ok.toJson()).isEqualTo(HealthStatus.OK);
        HealthCheck archive = ok.checks("wal-archive").get(0);
        assertThat(archive.facts()).containsEntry("lagSeconds", 0L).doesNotContainKey("toolCheckFailure");
        assertThat(ok.checks("backup-age")).singleElement().satisfies(c ->
                assertThat(c.component()).isEqualTo("repository:pgbackrest:ops/repo1/" + c.facts().get("source")));

        setArchiveWritable(false);
        writeAndSwitch();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> monitor.status().failing());
        HealthCheck failing = monitor.check(Clock.systemUTC());
        assertThat(failing.status()).isEqualTo(HealthStatus.CRITICAL);
        assertThat(failing.message()).contains("archiving is failing").contains("pgbackrest check failed");
        assertThat((Long) failing.facts().get("pendingSegments")).isPositive();
        assertThat((Long) failing.facts().get("failedCount")).isPositive();
        assertThat(failing.facts()).containsKey("toolCheckFailure");

        setArchiveWritable(true);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            // a reload wakes the archiver, which otherwise retries only after up to a minute; a WAL switch would
            // wake it too but leave a fresh segment pending
            pg.psql("postgres", "SELECT pg_reload_conf()");
            assertThat(monitor.status().failing()).isFalse();
            assertThat(monitor.status().pendingSegments()).contains(0L);
        });
        HealthCheck recovered = monitor.check(Clock.systemUTC());
        assertThat(recovered.status()).as(recovered.message()).isEqualTo(HealthStatus.OK);
    }

    @Test
    @DisplayName("weekly full + daily incremental through the scheduler on pgBackRest: the leader-only jobs fire on "
            + "Sunday and Monday of a test clock under the advisory-lock guard, and info lists FULL then INCR on it")
    void scheduledFullAndIncremental() {
        MisfirePolicy runOnce = MisfirePolicy.RUN_ONCE;
        List<BackupSet> taken = new ArrayList<>();
        MutableClock clock = new MutableClock("2026-03-07T12:00:00Z"); // a Saturday
        ConnectionSource source = ConnectionSource.of(pg.connection());
        Scheduler scheduler = Scheduler.builder()
                .clock(clock)
                .guard(PostgresAdvisoryGuard.of(source))
                .store(JobStore.postgres(source))
                .job(Job.builder("pgbr-weekly-full").cron("0 2 * * SUN")
                        .runOn(RunOn.LEADER_ONLY).misfire(runOnce)
                        .task(ctx -> taken.add(pgbr.backup(BackupType.FULL, 1))).build())
                .job(Job.builder("pgbr-daily-incr").cron("0 2 * * MON-SAT")
                        .runOn(RunOn.LEADER_ONLY).misfire(runOnce)
                        .task(ctx -> taken.add(pgbr.backup(BackupType.INCR, 1))).build())
                .build();
        clock.set("2026-03-08T02:00:00Z");
        assertThat(scheduler.runDue()).extracting(JobResult::job,
                JobResult::outcome).containsExactly(tuple("pgbr-weekly-full", JobOutcome.SUCCEEDED));
        writeAndSwitch();
        clock.set("2026-03-09T02:00:30Z");
        assertThat(scheduler.runDue()).extracting(JobResult::job,
                JobResult::outcome).containsExactly(tuple("pgbr-daily-incr", JobOutcome.SUCCEEDED));
        assertThat(taken).extracting(BackupSet::type).containsExactly(BackupType.FULL,
                BackupType.INCR);
        assertThat(taken.get(1).dependsOn()).isPresent();
        assertThat(pgbr.list(1)).extracting(BackupSet::id)
                .containsSubsequence(taken.get(0).id(), taken.get(1).id());
        assertThat(pg.queryValue("postgres", "SELECT string_agg(job || '=' || outcome, ',' ORDER BY job) "
                + "FROM pgvault_job_runs")).isEqualTo("pgbr-daily-incr=SUCCEEDED,pgbr-weekly-full=SUCCEEDED");
        scheduler.close();
    }
}
