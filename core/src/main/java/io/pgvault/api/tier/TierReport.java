package io.pgvault.api.tier;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one pass over a tier did: the sets it copied or failed to copy.
 *
 * @param tier     the tier's name
 * @param required whether the tier is required
 * @param copies   one entry per set that was missing and attempted, oldest first
 * @param problem  a failure that stopped the pass before any set was attempted (the tier could not be listed)
 * @since 0.2.0
 */
public record TierReport(String tier, boolean required, List<SetCopy> copies, Optional<String> problem) {

    /** Validates the components and copies the list. */
    public TierReport {
        Objects.requireNonNull(tier, "tier");
        copies = List.copyOf(Objects.requireNonNull(copies, "copies"));
        problem = problem == null ? Optional.empty() : problem;
    }

    /** @return whether every attempted copy succeeded and the tier could be read */
    public boolean succeeded() {
        return problem.isEmpty() && copies.stream().allMatch(SetCopy::succeeded);
    }

    /** @return the failed copies */
    public List<SetCopy> failures() {
        return copies.stream().filter(c -> !c.succeeded()).toList();
    }

    /** @return a summary line per copy */
    public String describe() {
        StringBuilder b = new StringBuilder("tier " + tier + (required ? " (required)" : " (optional)") + ": ");
        if (problem.isPresent()) {
            return b.append("FAILED: ").append(problem.get()).toString();
        }
        if (copies.isEmpty()) {
            return b.append("up to date").toString();
        }
        b.append(copies.size() - failures().size()).append(" copied, ").append(failures().size()).append(" failed");
        copies.forEach(c -> b.append("\n  ").append(c.describe()));
        return b.toString();
    }
}
