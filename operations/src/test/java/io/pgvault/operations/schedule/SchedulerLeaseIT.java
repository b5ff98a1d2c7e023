package io.pgvault.operations.schedule;

import io.pgvault.api.PgConnection;
import io.pgvault.operations.ConnectionSource;
import io.pgvault.testkit.MutableClock;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The advisory-lock guard as a lease on a real server: two replicas share one database (guard and job store); the
 * holder's session is lost while its job runs. The job is cancelled, the other replica gets the lock but finds the
 * fire claimed, and no fire's body runs twice.
 */
class SchedulerLeaseIT {
    private static final String DB = "app";
    private static final Duration HEARTBEAT = Duration.ofMillis(200);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Instant FIRST = Instant.parse("2026-03-01T00:01:00Z");
    private static final Instant SECOND = Instant.parse("2026-03-01T00:02:00Z");

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    private static PgConnection conn;

    @BeforeAll
    static void database() {
        conn = pg.cluster().createDatabase(DB);
    }

    /** A replica: the guard through {@code guardDb} (with a fast heartbeat), the shared job store directly. */
    private static Scheduler replica(MutableClock clock, PgConnection guardDb, Job job) {
        return Scheduler.builder().clock(clock)
                .guard(PostgresAdvisoryGuard.of(ConnectionSource.of(guardDb)).withHeartbeat(HEARTBEAT, TIMEOUT))
                .store(JobStore.postgres(ConnectionSource.of(conn))).job(job).build();
    }

    @Test
    @DisplayName("the holder's backend is terminated while its job runs (pg_terminate_backend from a third "
            + "connection): its job is cancelled and recorded as LEASE_LOST, the other replica takes the lock but "
            + "finds the fire claimed, its next ticks pass, and every fire's body ran once")
    void terminatedHolder() throws Exception {
        MutableClock clock = new MutableClock("2026-03-01T00:00:30Z");
        Map<Instant, AtomicInteger> bodies = new ConcurrentHashMap<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch otherTicked = new CountDownLatch(1);
        AtomicLong cancelledAt = new AtomicLong();
        Job job = Job.builder("lease").cron("* * * * *").task(ctx -> {
            bodies.computeIfAbsent(ctx.scheduledFor(), f -> new AtomicInteger()).incrementAndGet();
            if (!ctx.scheduledFor().equals(FIRST)) {
                return;
            }
            started.countDown();
            try {
                new CountDownLatch(1).await(); // a long backup: runs until cancelled
            } catch (InterruptedException e) {
                cancelledAt.set(System.nanoTime());
                // like a tool that takes a moment to die: end only after the other replica ticked, so that it meets
                // the fire claimed but not yet recorded
                otherTicked.await(30, TimeUnit.SECONDS);
                throw e;
            }
        }).build();
        Scheduler a = replica(clock, conn, job);
        Scheduler b = replica(clock, conn, job);
        assertThat(a.runDue()).isEmpty();

        clock.set(FIRST);
        CompletableFuture<List<JobResult>> held = CompletableFuture.supplyAsync(a::runDue);
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        long key = PostgresAdvisoryGuard.lockKey("pgvault", "lease");
        List<Integer> holders = holders(key);
        assertThat(holders).hasSize(1);
        try (SingleRunnerGuard.Lease probe = PostgresAdvisoryGuard.of(ConnectionSource.of(conn)).acquire(job)) {
            assertThat(probe.status()).isEqualTo(SingleRunnerGuard.Lease.Status.HELD_ELSEWHERE);
        }

        long terminatedAt = System.nanoTime();
        assertThat(terminate(holders.get(0))).isTrue();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> holders(key).isEmpty());

        clock.advance(Duration.ofSeconds(5));
        assertThat(b.runDue()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(JobOutcome.SKIPPED_ALREADY_RAN);
            assertThat(r.message()).contains("claimed by an earlier run");
        });
        otherTicked.countDown();

        assertThat(held.get(30, TimeUnit.SECONDS)).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(JobOutcome.LEASE_LOST);
            assertThat(r.scheduledFor()).isEqualTo(FIRST);
            assertThat(r.message()).startsWith("lease lost: the session holding advisory lock " + key)
                    .contains("failed its heartbeat").contains("the task stopped");
            assertThat(r.error()).get().isInstanceOf(InterruptedException.class);
        });
        assertThat(Duration.ofNanos(cancelledAt.get() - terminatedAt))
                .isLessThan(HEARTBEAT.plus(LockSession.socketTimeout(TIMEOUT)).plusSeconds(5));
        assertThat(pg.cluster().queryValue(DB, "SELECT outcome || ' ' || last_fire FROM pgvault_job_runs "
                + "WHERE job = 'lease'")).isEqualTo("LEASE_LOST 2026-03-01 00:01:00+00");

        clock.advance(Duration.ofSeconds(20)); // later ticks of both replicas within the same minute
        assertThat(b.runDue()).isEmpty();
        assertThat(a.runDue()).isEmpty();
        assertThat(bodies.get(FIRST)).hasValue(1);

        clock.set(SECOND);
        CompletableFuture<List<JobResult>> fa = CompletableFuture.supplyAsync(a::runDue);
        CompletableFuture<List<JobResult>> fb = CompletableFuture.supplyAsync(b::runDue);
        List<JobOutcome> outcomes = new ArrayList<>();
        fa.get(30, TimeUnit.SECONDS).forEach(r -> outcomes.add(r.outcome()));
        fb.get(30, TimeUnit.SECONDS).forEach(r -> outcomes.add(r.outcome()));
        assertThat(outcomes).containsOnlyOnce(JobOutcome.SUCCEEDED).allMatch(o -> o == JobOutcome.SUCCEEDED
                || o == JobOutcome.SKIPPED_RUNNING_ELSEWHERE || o == JobOutcome.SKIPPED_ALREADY_RAN);
        assertThat(bodies).containsOnlyKeys(FIRST, SECOND).allSatisfy((fire, n) -> assertThat(n).hasValue(1));
        assertThat(holders(key)).isEmpty();
    }

    @Test
    @DisplayName("the holder's connection goes silent (half-open): the heartbeat times out on the socket, the job "
            + "is cancelled while the server still holds the lock for the dead session, and the fire is not run "
            + "again once that session ends")
    void silentHolder() throws Exception {
        MutableClock clock = new MutableClock("2026-03-01T00:00:30Z");
        AtomicInteger bodies = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        Job job = Job.builder("silent").cron("0 * * * *").task(ctx -> {
            bodies.incrementAndGet();
            started.countDown();
            new CountDownLatch(1).await();
        }).build();
        try (SilentProxy proxy = new SilentProxy(conn.host(), conn.port())) {
            Scheduler a = replica(clock, conn.toBuilder().port(proxy.port()).build(), job);
            Scheduler b = replica(clock, conn, job);
            clock.set("2026-03-01T01:00:00Z");
            CompletableFuture<List<JobResult>> held = CompletableFuture.supplyAsync(a::runDue);
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

            long silentAt = System.nanoTime();
            proxy.goSilent();
            assertThat(held.get(30, TimeUnit.SECONDS)).singleElement().satisfies(r -> {
                assertThat(r.outcome()).isEqualTo(JobOutcome.LEASE_LOST);
                assertThat(r.message()).contains("failed its heartbeat").contains("the task stopped");
            });
            assertThat(Duration.ofNanos(System.nanoTime() - silentAt))
                    .isLessThan(HEARTBEAT.plus(LockSession.socketTimeout(TIMEOUT).multipliedBy(2)).plusSeconds(5));
            // the server cannot tell: the dead session keeps the lock, so nobody else runs the job meanwhile
            long key = PostgresAdvisoryGuard.lockKey("pgvault", "silent");
            assertThat(holders(key)).hasSize(1);

            proxy.close(); // the path comes back and the server sees the session end
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> holders(key).isEmpty());
            clock.advance(Duration.ofSeconds(10));
            assertThat(b.runDue()).isEmpty();
            assertThat(bodies).hasValue(1);
        }
    }

    /** @return the backends holding the advisory lock {@code key} */
    private static List<Integer> holders(long key) throws Exception {
        try (Connection c = ConnectionSource.of(conn).open("test-observer");
             PreparedStatement st = c.prepareStatement("SELECT pid FROM pg_locks WHERE locktype = 'advisory' "
                     + "AND objsubid = 1 AND granted AND ((classid::bigint << 32) | objid::bigint) = ?")) {
            st.setLong(1, key);
            List<Integer> pids = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
            }
            return pids;
        }
    }

    /** Terminates a backend from a third connection, as an administrator, a failover or a pooler would end it. */
    private static boolean terminate(int pid) throws Exception {
        try (Connection c = ConnectionSource.of(conn).open("test-terminator");
             PreparedStatement st = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            st.setInt(1, pid);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
