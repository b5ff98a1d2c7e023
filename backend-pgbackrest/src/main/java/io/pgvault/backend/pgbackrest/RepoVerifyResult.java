package io.pgvault.backend.pgbackrest;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@code pgbackrest verify} on one repo: it checks every backup file and WAL segment against the
 * checksums pgBackRest recorded.
 *
 * <p>With a set ({@link PgBackRest#verify(PgBackRestRepo, io.pgvault.api.BackupId)}), pgBackRest 2.55 and later check
 * only that set's files and the WAL it needs ({@code verify --set}); older releases check the whole repo, which
 * {@link #set()} then says by being empty.
 *
 * @param repo     the repo index
 * @param set      the set pgBackRest's {@code verify --set} was limited to; empty when the whole repo was checked
 * @param problems what is damaged or missing, as pgBackRest reported it; empty when the repo is sound
 * @param output   pgBackRest's report (redacted)
 * @param duration how long it took
 * @since 0.1.0
 */
public record RepoVerifyResult(int repo, Optional<String> set, List<String> problems, String output,
        Duration duration) {
    /** Copies the problems. */
    public RepoVerifyResult {
        Objects.requireNonNull(set, "set");
        problems = List.copyOf(problems);
    }

    /**
     * A whole-repo result.
     *
     * @param repo     the repo index
     * @param problems what is damaged or missing; empty when the repo is sound
     * @param output   pgBackRest's report (redacted)
     * @param duration how long it took
     * @since 0.1.0
     */
    public RepoVerifyResult(int repo, List<String> problems, String output, Duration duration) {
        this(repo, Optional.empty(), problems, output, duration);
    }

    /**
     * @return whether no problem was found
     * @since 0.1.0
     */
    public boolean ok() {
        return problems.isEmpty();
    }
}
