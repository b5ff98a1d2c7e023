package io.pgvault.operations.schedule;

import io.pgvault.operations.ConnectionSource;
import io.pgvault.testkit.MutableClock;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard against a server in recovery: a cluster restarted with {@code standby.signal} (a hot standby without a
 * primary to follow, which is what {@code pg_is_in_recovery()} reports either way).
 */
class GuardStandbyIT {

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    @BeforeAll
    static void makeStandby() throws Exception {
        pg.cluster().stop();
        Files.createFile(pg.cluster().dataDirectory().resolve("standby.signal"));
        pg.cluster().start();
        assertThat(pg.cluster().queryValue("postgres", "SELECT pg_is_in_recovery()")).isEqualTo("t");
    }

    @Test
    @DisplayName("on a standby a leader-only job is skipped, a standby-only and an any-role job run")
    void roles() {
        MutableClock clock = new MutableClock("2026-03-01T01:00:00Z");
        List<String> ran = new ArrayList<>();
        Scheduler s = Scheduler.builder().clock(clock)
                .guard(PostgresAdvisoryGuard.of(ConnectionSource.of(pg.connection())))
                .job(Job.builder("leader-backup").cron("0 2 * * *").runOn(RunOn.LEADER_ONLY)
                        .task(ctx -> ran.add(ctx.job())).build())
                .job(Job.builder("standby-check").cron("0 2 * * *").runOn(RunOn.STANDBY_ONLY)
                        .task(ctx -> ran.add(ctx.job())).build())
                .job(Job.builder("anywhere").cron("0 2 * * *").task(ctx -> ran.add(ctx.job())).build())
                .build();
        clock.set("2026-03-01T02:00:00Z");
        List<JobResult> results = s.runDue();
        assertThat(results).extracting(JobResult::job, JobResult::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple("leader-backup", JobOutcome.SKIPPED_WRONG_ROLE),
                org.assertj.core.groups.Tuple.tuple("standby-check", JobOutcome.SUCCEEDED),
                org.assertj.core.groups.Tuple.tuple("anywhere", JobOutcome.SUCCEEDED));
        assertThat(results.get(0).message()).contains("is a standby (in recovery)");
        assertThat(ran).containsExactly("standby-check", "anywhere");
    }

    @Test
    @DisplayName("PostgreSQL grants session advisory locks on a hot standby, and they exclude other sessions there")
    void advisoryLocksWorkOnAStandby() throws Exception {
        Job job = Job.builder("on-standby").cron("0 2 * * *").task(ctx -> { }).build();
        PostgresAdvisoryGuard guard = PostgresAdvisoryGuard.of(ConnectionSource.of(pg.connection()));
        try (SingleRunnerGuard.Lease first = guard.acquire(job);
             SingleRunnerGuard.Lease second = guard.acquire(job)) {
            assertThat(first.status()).isEqualTo(SingleRunnerGuard.Lease.Status.ACQUIRED);
            assertThat(second.status()).isEqualTo(SingleRunnerGuard.Lease.Status.HELD_ELSEWHERE);
        }
        try (Connection c = ConnectionSource.of(pg.connection()).open("probe");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
