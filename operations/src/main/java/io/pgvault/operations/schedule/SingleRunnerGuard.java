package io.pgvault.operations.schedule;

import java.util.function.Consumer;

/**
 * Decides whether this process may run a job now, so that only one of several replicas of the host service runs a
 * given job. {@link PostgresAdvisoryGuard} is the real one; {@link #local()} lets every caller run (one process).
 *
 * @since 0.2.0
 */
public interface SingleRunnerGuard {

    /**
     * Tries to become the one runner of {@code job}; never waits for another runner.
     *
     * @param job the job about to run
     * @return a lease: {@link Lease.Status#ACQUIRED} means run now and close the lease afterwards; the other
     *         statuses mean skip (and the lease holds nothing)
     * @throws io.pgvault.api.PgVaultException when the guard cannot decide (e.g. its database is unreachable)
     */
    Lease acquire(Job job);

    /** @return a guard for a single process: always acquired, the role taken to be the leader */
    static SingleRunnerGuard local() {
        return job -> job.runOn() == RunOn.STANDBY_ONLY
                ? Lease.of(Lease.Status.WRONG_ROLE, "the local guard has no standby")
                : Lease.of(Lease.Status.ACQUIRED, "local");
    }

    /**
     * The right to run one job now, released by {@link #close()}.
     *
     * @since 0.2.0
     */
    interface Lease extends AutoCloseable {

        /** Whether the lease was granted. */
        enum Status {
            /** This process is the runner; run the job, then close the lease. */
            ACQUIRED,
            /** Another process holds the job's lock, i.e. runs it now. */
            HELD_ELSEWHERE,
            /** The guarded server's role does not match the job's {@link RunOn}. */
            WRONG_ROLE
        }

        /** @return whether this process may run the job */
        Status status();

        /** @return a short explanation for logs and results, never holding a secret */
        String detail();

        /**
         * Watches an {@link Status#ACQUIRED} lease while the job runs, until {@link #close()}: when the lease turns
         * out to be lost (the lock's session ended, or could not be confirmed in time), {@code onLost} is called once,
         * on another thread, with the reason. The scheduler then cancels the run. The default watches nothing: a
         * lease that cannot be lost, like {@link SingleRunnerGuard#local()}'s.
         *
         * @param onLost told the reason (never holding a secret); must return quickly
         * @since 0.3.0
         */
        default void watch(Consumer<String> onLost) {
        }

        /** Releases the lease (and stops watching it); idempotent, never throws. */
        @Override
        void close();

        /**
         * @param status the decision
         * @param detail its explanation
         * @return a lease that holds nothing to release
         */
        static Lease of(Status status, String detail) {
            return new Lease() {
                @Override
                public Status status() {
                    return status;
                }

                @Override
                public String detail() {
                    return detail;
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
