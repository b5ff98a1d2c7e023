package io.pgvault.operations.schedule;

import io.pgvault.api.BackupSet;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVault;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.Secret;
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

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The advisory-lock guard and the PostgreSQL job store on a real server: several schedulers, one run per fire. */
class SchedulerGuardIT {
    private static final String DB = "app";

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    private static PgConnection conn;

    @BeforeAll
    static void database() {
        conn = pg.cluster().createDatabase(DB);
        pg.cluster().psql(DB, "CREATE TABLE orders (id int); INSERT INTO orders SELECT generate_series(1, 100)");
    }

    /** A replica: its own guard and store, each opening its own JDBC sessions. */
    private static Scheduler replica(MutableClock clock, Job job) {
        ConnectionSource source = ConnectionSource.of(conn);
        return Scheduler.builder().clock(clock).guard(PostgresAdvisoryGuard.of(source))
                .store(JobStore.postgres(source)).job(job).build();
    }

    @Test
    @DisplayName("a scheduled pg_dump backup fires on time in one replica while the other finds the lock taken; "
            + "a replica ticking after it finds the fire already handled")
    void oneReplicaRunsTheBackup(@TempDir Path dir) throws Exception {
        MutableClock clock = new MutableClock("2026-03-01T01:00:00Z");
        PgVault vault = PgVault.builder().acceptUnauthenticated(true)
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(conn).build()))
                .repository(LocalRepository.at(dir)).pipeline(PipelineOptions.defaults()
                        .withEncryption(Encryption.none())).clock(clock).build();
        CountDownLatch backedUp = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Job nightly = Job.builder("nightly-dump").cron("0 2 * * *").runOn(RunOn.LEADER_ONLY).task(ctx -> {
            vault.backup();
            backedUp.countDown();
            release.await();
        }).build();
        Scheduler a = replica(clock, nightly);
        Scheduler b = replica(clock, nightly);
        assertThat(a.runDue()).isEmpty();

        clock.set("2026-03-01T02:00:00Z");
        CompletableFuture<List<JobResult>> first = CompletableFuture.supplyAsync(a::runDue);
        assertThat(backedUp.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(locksHeldBy("pgvault-job:nightly-dump")).isEqualTo(1);
        assertThat(b.runDue()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(JobOutcome.SKIPPED_RUNNING_ELSEWHERE);
            assertThat(r.message()).contains("another session holds advisory lock "
                    + PostgresAdvisoryGuard.lockKey("pgvault", "nightly-dump"));
        });
        release.countDown();
        assertThat(first.get(60, TimeUnit.SECONDS)).extracting(JobResult::outcome)
                .containsExactly(JobOutcome.SUCCEEDED);
        assertThat(locksHeldBy("pgvault-job:nightly-dump")).isZero();

        Scheduler late = replica(clock, nightly); // e.g. a replica whose tick comes a moment later
        clock.advance(Duration.ofSeconds(20));
        assertThat(late.runDue()).isEmpty();
        assertThat(vault.list()).hasSize(1).first().extracting(BackupSet::startedAt)
                .isEqualTo(Instant.parse("2026-03-01T02:00:00Z"));
        assertThat(pg.cluster().queryValue(DB, "SELECT outcome || ' ' || last_fire FROM pgvault_job_runs "
                + "WHERE job = 'nightly-dump'")).isEqualTo("SUCCEEDED 2026-03-01 02:00:00+00");
    }

    @Test
    @DisplayName("two replicas ticking at the same moments over twenty fires run every fire exactly once")
    void exactlyOnceUnderRaces() throws Exception {
        MutableClock clock = new MutableClock("2026-03-01T00:00:30Z");
        AtomicInteger runs = new AtomicInteger();
        List<Instant> fired = java.util.Collections.synchronizedList(new ArrayList<>());
        Job everyMinute = Job.builder("race").cron("* * * * *").task(ctx -> {
            runs.incrementAndGet();
            fired.add(ctx.scheduledFor());
        }).build();
        Scheduler a = replica(clock, everyMinute);
        Scheduler b = replica(clock, everyMinute);
        CyclicBarrier barrier = new CyclicBarrier(2);
        List<JobOutcome> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int minute = 1; minute <= 20; minute++) {
            clock.set(Instant.parse("2026-03-01T00:00:00Z").plusSeconds(60L * minute));
            CompletableFuture<List<JobResult>> fa = CompletableFuture.supplyAsync(() -> tick(a, barrier));
            CompletableFuture<List<JobResult>> fb = CompletableFuture.supplyAsync(() -> tick(b, barrier));
            fa.get(30, TimeUnit.SECONDS).forEach(r -> outcomes.add(r.outcome()));
            fb.get(30, TimeUnit.SECONDS).forEach(r -> outcomes.add(r.outcome()));
        }
        assertThat(runs).hasValue(20);
        assertThat(fired).doesNotHaveDuplicates().hasSize(20);
        assertThat(outcomes).filteredOn(o -> o == JobOutcome.SUCCEEDED).hasSize(20);
        assertThat(outcomes).allMatch(o -> o == JobOutcome.SUCCEEDED || o == JobOutcome.SKIPPED_RUNNING_ELSEWHERE
                || o == JobOutcome.SKIPPED_ALREADY_RAN);
    }

    private static List<JobResult> tick(Scheduler s, CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return s.runDue();
    }

    @Test
    @DisplayName("the lock of a replica that dies is released with its session; the next replica gets it")
    void deadReplicaReleasesTheLock() throws Exception {
        Job job = Job.builder("crashy").cron("0 2 * * *").task(ctx -> { }).build();
        PostgresAdvisoryGuard guard = PostgresAdvisoryGuard.of(ConnectionSource.of(conn));
        long key = PostgresAdvisoryGuard.lockKey("pgvault", "crashy");
        try (Connection dying = ConnectionSource.of(conn).open("dying-replica")) {
            try (PreparedStatement st = dying.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                st.setLong(1, key);
                try (ResultSet rs = st.executeQuery()) {
                    assertThat(rs.next() && rs.getBoolean(1)).isTrue();
                }
            }
            try (SingleRunnerGuard.Lease lease = guard.acquire(job)) {
                assertThat(lease.status()).isEqualTo(SingleRunnerGuard.Lease.Status.HELD_ELSEWHERE);
            }
            // the process dies: the server ends its session
            pg.cluster().psql(DB, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    + "WHERE application_name = 'dying-replica'");
            try (SingleRunnerGuard.Lease lease = guard.acquire(job)) {
                assertThat(lease.status()).isEqualTo(SingleRunnerGuard.Lease.Status.ACQUIRED);
                assertThat(pg.cluster().queryValue(DB, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                        + "AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = " + key))
                        .isEqualTo("1");
            }
        }
    }

    @Test
    @DisplayName("an unreachable guard database fails the fire with a message that names the server but never "
            + "the password")
    void unreachableGuard() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        PgConnection wrong = conn.toBuilder().port(closedPort).password(Secret.of("hunter2-very-secret")).build();
        MutableClock clock = new MutableClock("2026-03-01T01:00:00Z");
        AtomicInteger runs = new AtomicInteger();
        Scheduler s = Scheduler.builder().clock(clock).guard(PostgresAdvisoryGuard.of(ConnectionSource.of(wrong)))
                .job(Job.builder("nightly").cron("0 2 * * *").task(ctx -> runs.incrementAndGet()).build()).build();
        clock.set("2026-03-01T02:00:00Z");
        assertThat(s.runDue()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(JobOutcome.FAILED);
            assertThat(r.message()).contains("guard unavailable").contains("127.0.0.1:" + closedPort)
                    .doesNotContain("hunter2");
            assertThat(r.error()).get().isInstanceOf(PgVaultException.class);
        });
        assertThat(runs).hasValue(0);
        assertThat(PostgresAdvisoryGuard.of(ConnectionSource.of(wrong)).toString()).doesNotContain("hunter2");
        assertThatThrownBy(() -> ConnectionSource.of(conn.toBuilder().host("/var/run/postgresql").build()))
                .hasMessageContaining("Unix-socket directory");
    }

    private static int locksHeldBy(String applicationName) throws Exception {
        try (Connection c = ConnectionSource.of(conn).open("test-observer");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                     + "WHERE l.locktype = 'advisory' AND a.application_name = '" + applicationName + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
