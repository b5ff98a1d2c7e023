package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.tier.SetCopy;
import io.pgvault.api.tier.TierReport;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one {@link PgBackRestMirror#mirror()} run did.
 *
 * @param tier         the tier's name
 * @param copies       one entry per set that was missing and attempted, oldest first; a failed one has the error
 * @param filesSent    files sent to the mirror (set files, WAL and info files)
 * @param filesResumed files found on the mirror from an interrupted run, verified by digest and kept
 * @param filesShared  files already committed with another mirrored set (WAL and referenced files), not sent again
 * @param bytesSent    bytes sent
 * @param walExtended  WAL files added to already mirrored sets ({@link WalPolicy#PITR})
 * @param duration     how long the run took
 * @param problem      why the run could not start (e.g. the source could not be listed), if it could not
 * @param warnings     what the run found wrong without failing: holes in a set's mirrored WAL (the source expired
 *                     segments before the mirror copied them), sets the source expired before they were mirrored
 * @since 0.2.0
 */
public record MirrorRun(String tier, List<SetCopy> copies, int filesSent, int filesResumed, int filesShared,
        long bytesSent, int walExtended, Duration duration, Optional<String> problem, List<String> warnings) {

    /** Validates the components and copies the lists. */
    public MirrorRun {
        Objects.requireNonNull(tier, "tier");
        copies = List.copyOf(Objects.requireNonNull(copies, "copies"));
        Objects.requireNonNull(duration, "duration");
        problem = problem == null ? Optional.empty() : problem;
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /**
     * A run without warnings.
     *
     * @param tier         the tier's name
     * @param copies       the sets attempted
     * @param filesSent    files sent
     * @param filesResumed files resumed
     * @param filesShared  files shared
     * @param bytesSent    bytes sent
     * @param walExtended  WAL files added
     * @param duration     how long it took
     * @param problem      why it could not start
     */
    public MirrorRun(String tier, List<SetCopy> copies, int filesSent, int filesResumed, int filesShared,
            long bytesSent, int walExtended, Duration duration, Optional<String> problem) {
        this(tier, copies, filesSent, filesResumed, filesShared, bytesSent, walExtended, duration, problem, List.of());
    }

    /** @return whether every attempted set was committed and nothing stopped the run */
    public boolean succeeded() {
        return problem.isEmpty() && copies.stream().allMatch(SetCopy::succeeded);
    }

    /**
     * @param required whether the tier is required
     * @return the run as core's tier report (for events, health checks and the placement report's readers)
     */
    public TierReport toTierReport(boolean required) {
        return new TierReport(tier, required, copies, problem);
    }

    /** @return a summary: counts, then a line per set */
    public String describe() {
        StringBuilder b = new StringBuilder("mirror ").append(tier).append(": ");
        problem.ifPresent(p -> b.append("FAILED: ").append(p).append("; "));
        b.append(copies.stream().filter(SetCopy::succeeded).count()).append(" set(s) committed, ")
                .append(copies.stream().filter(c -> !c.succeeded()).count()).append(" failed; ").append(filesSent)
                .append(" file(s) sent (").append(bytesSent).append(" bytes), ").append(filesResumed)
                .append(" resumed, ").append(filesShared).append(" shared, ").append(walExtended)
                .append(" WAL file(s) added for PITR in ").append(duration.toMillis()).append(" ms");
        copies.forEach(c -> b.append("\n  ").append(c.describe()));
        warnings.forEach(w -> b.append("\n  WARNING: ").append(w));
        return b.toString();
    }
}
