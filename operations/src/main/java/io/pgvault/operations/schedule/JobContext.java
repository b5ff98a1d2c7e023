package io.pgvault.operations.schedule;

import java.time.Instant;
import java.util.Objects;

/**
 * What a running task knows about its fire.
 *
 * @param job          the job's name
 * @param scheduledFor the fire time this run stands for
 * @param startedAt    when the task started (scheduler clock)
 * @param misfire      whether the run is late: it stands for one or more fires that were missed beyond the
 *                     job's misfire threshold, or it coalesces several missed fires
 * @param cancellation tells the task to stop, e.g. when the guard's lease is lost (since 0.3.0)
 * @since 0.2.0
 */
public record JobContext(String job, Instant scheduledFor, Instant startedAt, boolean misfire,
        Cancellation cancellation) {

    /** Checks the components. */
    public JobContext {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(scheduledFor, "scheduledFor");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(cancellation, "cancellation");
    }

    /**
     * A context whose run is never cancelled, e.g. to call a task from its own tests.
     *
     * @param job          the job's name
     * @param scheduledFor the fire time this run stands for
     * @param startedAt    when the task started
     * @param misfire      whether the run is late
     * @since 0.2.0
     */
    public JobContext(String job, Instant scheduledFor, Instant startedAt, boolean misfire) {
        this(job, scheduledFor, startedAt, misfire, Cancellation.never());
    }
}
