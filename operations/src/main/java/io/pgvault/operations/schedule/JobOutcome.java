package io.pgvault.operations.schedule;

/**
 * How one fire of a job ended.
 *
 * @since 0.2.0
 */
public enum JobOutcome {
    /** The task ran and returned normally. */
    SUCCEEDED,
    /** The task ran and threw, or the guard's database could not be reached; see the result's error. */
    FAILED,
    /** A fire was missed beyond the misfire threshold and the policy is {@link MisfirePolicy#SKIP}. */
    MISSED,
    /** The previous run of this job in this scheduler was still running; the fire was skipped (no overlap). */
    SKIPPED_OVERLAP,
    /** Another replica holds the job's lock, i.e. runs it right now; the fire was left to it. */
    SKIPPED_RUNNING_ELSEWHERE,
    /**
     * Another replica already ran this fire, or claimed it to run (the job store records it); nothing to do. A
     * claimed fire is not run again even when its runner died: each fire runs at most once.
     */
    SKIPPED_ALREADY_RAN,
    /** The guarded server's role does not match the job's {@link RunOn} setting. */
    SKIPPED_WRONG_ROLE,
    /**
     * The guard's lease was lost while the task ran (its session ended, or could not be confirmed in time): the task
     * was cancelled (see {@link Cancellation}), and the fire counts as handled, so no replica runs it again. The
     * result's message says whether the task stopped or returned anyway; its error is the task's failure, if any.
     *
     * @since 0.3.0
     */
    LEASE_LOST;

    /** @return whether the task itself ran */
    public boolean ran() {
        return this == SUCCEEDED || this == FAILED || this == LEASE_LOST;
    }
}
