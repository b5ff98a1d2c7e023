package io.pgvault.operations.drill;

import io.pgvault.api.BackupId;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The stored outcome of a drill, as health checks read it back ({@link RestoreDrill#lastDrill}).
 *
 * @param setId      the drilled set
 * @param strategy   its strategy
 * @param passed     whether the drill passed
 * @param rto        measured recovery time, if the restored server answered
 * @param duration   the whole drill
 * @param startedAt  when it started
 * @param finishedAt when it finished
 * @param failures   the failed checks and problems, one line each; empty when it passed
 * @since 0.2.0
 */
public record DrillRecord(BackupId setId, String strategy, boolean passed, Optional<Duration> rto,
        Duration duration, Instant startedAt, Instant finishedAt, java.util.List<String> failures) {

    /** Checks the components; copies the list. */
    public DrillRecord {
        Objects.requireNonNull(setId, "setId");
        Objects.requireNonNull(strategy, "strategy");
        rto = rto == null ? Optional.empty() : rto;
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        failures = failures == null ? java.util.List.of() : java.util.List.copyOf(failures);
    }

    /**
     * @param now the current time
     * @return how long ago the drill finished
     */
    public Duration age(Instant now) {
        return Duration.between(finishedAt, now);
    }
}
