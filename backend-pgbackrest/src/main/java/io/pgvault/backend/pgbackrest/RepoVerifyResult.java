package io.pgvault.backend.pgbackrest;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of {@code pgbackrest verify} on one repo: it checks every backup file and WAL segment against the
 * checksums pgBackRest recorded.
 *
 * @param repo     the repo index
 * @param problems what is damaged or missing, as pgBackRest reported it; empty when the repo is sound
 * @param output   pgBackRest's report (redacted)
 * @param duration how long it took
 * @since 0.1.0
 */
public record RepoVerifyResult(int repo, List<String> problems, String output, Duration duration) {
    /** Copies the problems. */
    public RepoVerifyResult {
        problems = List.copyOf(problems);
    }

    /**
     * @return whether no problem was found
     * @since 0.1.0
     */
    public boolean ok() {
        return problems.isEmpty();
    }
}
