package io.pgvault.operations.schedule;

/**
 * On which PostgreSQL role a job may run, as the {@link SingleRunnerGuard} sees the guarded database
 * ({@code pg_is_in_recovery()}).
 *
 * @since 0.2.0
 */
public enum RunOn {
    /** Run whatever the role (the default). */
    ANY,
    /** Run only when the guarded server is a primary (not in recovery); skip on a standby. */
    LEADER_ONLY,
    /** Run only when the guarded server is a standby (in recovery), e.g. drills or checks that offload the leader. */
    STANDBY_ONLY
}
