package io.pgvault.operations.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one fire of a job.
 *
 * @param job          the job's name
 * @param scheduledFor the fire time it stands for
 * @param startedAt    when the scheduler handled it
 * @param finishedAt   when it ended
 * @param outcome      how it ended
 * @param misfire      whether it was late (see {@link JobContext#misfire()})
 * @param message      a human-readable sentence (never holds a secret)
 * @param error        the failure, for {@link JobOutcome#FAILED}
 * @since 0.2.0
 */
public record JobResult(String job, Instant scheduledFor, Instant startedAt, Instant finishedAt, JobOutcome outcome,
        boolean misfire, String message, Optional<Throwable> error) {

    /** Checks the components; a null error becomes empty. */
    public JobResult {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(scheduledFor, "scheduledFor");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(message, "message");
        error = error == null ? Optional.empty() : error;
    }

    /** @return how long the run took */
    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }
}
