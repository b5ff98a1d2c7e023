package io.pgvault.api.retention;

import io.pgvault.api.BackupSet;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What a prune removed, or with {@link PruneMode#DRY_RUN} would remove.
 *
 * @param mode     dry run or executed
 * @param plan     the plan it executed
 * @param removed  the sets removed (or that would be), newest first: the order of deletion
 * @param skipped  sets the plan deletes that the prune left alone, each with why (already gone, or a set that appeared
 *                 after planning depends on it)
 * @param debris   object keys without a manifest that were (or would be) removed
 * @param duration how long the prune took
 * @since 0.1.0
 */
public record PruneReport(PruneMode mode, RetentionPlan plan, List<BackupSet> removed, List<String> skipped,
        List<String> debris, Duration duration) {
    /** Validates the components and copies the lists. */
    public PruneReport {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(plan, "plan");
        removed = List.copyOf(Objects.requireNonNull(removed, "removed"));
        skipped = List.copyOf(Objects.requireNonNull(skipped, "skipped"));
        debris = List.copyOf(Objects.requireNonNull(debris, "debris"));
        Objects.requireNonNull(duration, "duration");
    }

    /**
     * @return whether nothing was actually removed because this was a dry run
     * @since 0.1.0
     */
    public boolean dryRun() {
        return mode == PruneMode.DRY_RUN;
    }

    /**
     * @return bytes stored by the removed sets (debris not counted)
     * @since 0.1.0
     */
    public long storedBytes() {
        return removed.stream().mapToLong(BackupSet::storedBytes).sum();
    }

    /**
     * @return a human-readable summary: one header line, then the sets, skips and debris
     * @since 0.1.0
     */
    public String render() {
        String verb = dryRun() ? "would remove" : "removed";
        return (dryRun() ? "DRY RUN: " : "") + verb + " " + removed.size() + " set(s) (" + storedBytes()
                + " bytes stored) and " + debris.size() + " debris object(s); kept " + plan.kept().size()
                + " set(s); " + skipped.size() + " skipped (" + plan.policy() + ")"
                + removed.stream().map(s -> "\n  " + verb + " " + s.type() + " " + s.id() + " " + s.startedAt() + " ("
                        + s.storedBytes() + " bytes)")
                        .collect(Collectors.joining())
                + skipped.stream().map(s -> "\n  skipped " + s).collect(Collectors.joining())
                + debris.stream().map(k -> "\n  debris " + k).collect(Collectors.joining());
    }
}
