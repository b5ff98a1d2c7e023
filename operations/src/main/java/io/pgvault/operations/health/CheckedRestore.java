package io.pgvault.operations.health;

import io.pgvault.api.BackupId;

import java.time.Instant;
import java.util.Objects;

/**
 * A restore whose result was checked, as a host reports it with {@link BackupHealth#restoreChecked}: e.g. a
 * point-in-time restore with pgBackRest whose started copy answered a query proving the expected rows. A restore
 * nobody checked is not one: only checked restores (and passing restore drills) make the {@code restore-drill}
 * check's "last restored and checked".
 *
 * @param setId what was restored
 * @param at    when the check of the restored copy passed
 * @param check what proved it, one line for the health report (e.g. {@code select count(*) from orders = 1042})
 * @since 0.6.0
 */
public record CheckedRestore(BackupId setId, Instant at, String check) {
    /** Checks the components. */
    public CheckedRestore {
        Objects.requireNonNull(setId, "setId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(check, "check");
    }
}
