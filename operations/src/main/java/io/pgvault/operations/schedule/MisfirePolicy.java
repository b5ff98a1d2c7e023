package io.pgvault.operations.schedule;

/**
 * What a job does when the scheduler finds that a fire time passed more than the job's misfire threshold ago
 * without the job having run (the service was down, paused, or the clock jumped). Several missed fire times are
 * always coalesced into one decision: a job never runs once per missed fire.
 *
 * @since 0.2.0
 */
public enum MisfirePolicy {
    /** Run once now for the latest missed fire time (the default: a missed backup is taken late rather than never). */
    RUN_ONCE,
    /** Do not run; record the missed fire as {@link JobOutcome#MISSED} and wait for the next fire time. */
    SKIP
}
