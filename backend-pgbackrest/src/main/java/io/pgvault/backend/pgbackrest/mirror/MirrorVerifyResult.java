package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.BackupId;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What {@link PgBackRestMirror#verify()} found after reading every mirrored file back.
 *
 * @param at           when the check ran (the {@code verifiedAt} recorded for intact sets)
 * @param intact       the sets whose every file (and WAL) matched its record
 * @param damaged      the sets with at least one missing or mismatching file
 * @param filesChecked distinct files read back
 * @param bytesRead    bytes read back
 * @param problems     one line per missing or mismatching file
 * @since 0.2.0
 */
public record MirrorVerifyResult(Instant at, List<BackupId> intact, List<BackupId> damaged, int filesChecked,
        long bytesRead, List<String> problems) {

    /** Validates the components and copies the lists. */
    public MirrorVerifyResult {
        Objects.requireNonNull(at, "at");
        intact = List.copyOf(Objects.requireNonNull(intact, "intact"));
        damaged = List.copyOf(Objects.requireNonNull(damaged, "damaged"));
        problems = List.copyOf(Objects.requireNonNull(problems, "problems"));
    }

    /** @return whether everything matched */
    public boolean ok() {
        return problems.isEmpty();
    }
}
