package io.pgvault.operations.schedule;

/**
 * The work of a job, e.g. {@code ctx -> vault.backup()}. Runs on a scheduler worker thread; should react to
 * interruption (the scheduler interrupts running tasks when a shutdown's grace period ends).
 *
 * @since 0.2.0
 */
@FunctionalInterface
public interface JobTask {

    /**
     * @param context which fire this is
     * @throws Exception any failure; recorded as {@link JobOutcome#FAILED} and logged, never rethrown to the
     *                   scheduler's thread
     */
    void run(JobContext context) throws Exception;
}
