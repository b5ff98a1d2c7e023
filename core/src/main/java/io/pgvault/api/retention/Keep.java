package io.pgvault.api.retention;

import io.pgvault.api.BackupId;

import java.util.Objects;

/**
 * One rule's wish to keep one set, with the reason a person reads in the plan.
 *
 * @param id     the set to keep
 * @param reason which rule keeps it and why, e.g. {@code daily 2/7: newest backup of 2026-11-20 (UTC)}
 * @since 0.1.0
 */
public record Keep(BackupId id, String reason) {
    /** Validates the components. */
    public Keep {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(reason, "reason");
        if (reason.isBlank()) {
            throw new IllegalArgumentException("a keep needs a reason");
        }
    }
}
