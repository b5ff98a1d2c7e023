package io.pgvault.operations.schedule;

import io.pgvault.api.PgConnection;
import io.pgvault.operations.ConnectionSource;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link JobStore#postgres} keeps the claim contract on a real server; every {@link #store()} is a new object. */
class PostgresJobStoreClaimIT extends JobStoreClaimContract {
    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    private static PgConnection conn;

    @BeforeAll
    static void database() {
        conn = pg.cluster().createDatabase("claims");
    }

    @Override
    JobStore store() {
        return JobStore.postgres(ConnectionSource.of(conn));
    }

    @Test
    @DisplayName("a claim is a row naming its claimant; recording a fire deletes the job's claims of older fires")
    void claimRows() {
        JobStore s = store();
        Instant first = Instant.parse("2026-03-01T02:00:00Z");
        Instant second = first.plusSeconds(86_400);
        assertThat(s.claim("rows", first, "scheduler 1 in process 7")).isTrue();
        assertThat(s.claim("rows", second, "scheduler 1 in process 7")).isTrue();
        assertThat(pg.cluster().queryValue("claims", "SELECT string_agg(claimant, ',') FROM pgvault_job_claims "
                + "WHERE job = 'rows'")).isEqualTo("scheduler 1 in process 7,scheduler 1 in process 7");

        s.record(new JobResult("rows", second, second, second, JobOutcome.SUCCEEDED, false, "ran",
                Optional.empty()));
        assertThat(pg.cluster().queryValue("claims", "SELECT string_agg(fire::text, ',') FROM pgvault_job_claims "
                + "WHERE job = 'rows'")).isEqualTo("2026-03-02 02:00:00+00");
    }
}
