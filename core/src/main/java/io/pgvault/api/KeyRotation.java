package io.pgvault.api;

import java.util.List;
import java.util.Map;

/**
 * What {@link PgVault#rewrapSetKeys(Secret)} did: a passphrase set's data is encrypted to the set's own age key, so
 * rotating the passphrase re-wraps that key (a new key file, a record naming it) without re-encrypting any object.
 *
 * @param rewrapped      sets whose key files now open with the configured passphrase only
 * @param alreadyCurrent sets whose key files already opened with the configured passphrase (a rerun)
 * @param perObject      sets written before set keys (one age scrypt stanza per object): nothing to re-wrap; they
 *                       open with the previous passphrase until they are pruned, or re-encoded onto a tier with the
 *                       new one
 * @param failed         sets that could not be re-wrapped, with the reason (never a secret); each is left as it was
 * @since 0.5.0
 */
public record KeyRotation(List<BackupId> rewrapped, List<BackupId> alreadyCurrent, List<BackupId> perObject,
        Map<BackupId, String> failed) {

    /** Copies the collections. */
    public KeyRotation {
        rewrapped = List.copyOf(rewrapped);
        alreadyCurrent = List.copyOf(alreadyCurrent);
        perObject = List.copyOf(perObject);
        failed = Map.copyOf(failed);
    }

    /** @return whether every set with a key file opens with the configured passphrase now */
    public boolean ok() {
        return failed.isEmpty();
    }
}
