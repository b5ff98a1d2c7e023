package io.pgvault.api;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of verifying a set: every problem found, not only the first.
 *
 * @param set       the set that was verified
 * @param deep      whether objects were decrypted, decompressed and parsed (not only checksummed)
 * @param problems  what is wrong; empty when the set is intact
 * @param duration  how long verification took
 * @since 0.1.0
 */
public record VerifyResult(BackupSet set, boolean deep, List<String> problems, Duration duration) {
    /** Validates the components; copies collections and replaces null optionals with empty ones. */
    public VerifyResult {
        problems = List.copyOf(problems);
    }

    /** @return whether no problem was found */
    public boolean ok() {
        return problems.isEmpty();
    }
}
