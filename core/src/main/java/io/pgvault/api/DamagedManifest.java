package io.pgvault.api;

import java.util.Objects;

/**
 * A manifest that is not listed because it cannot be trusted: unreadable, of an unknown format, naming another set
 * than its key, or listing objects outside the set's own prefix. Its objects are never treated as debris; an operator
 * decides (see the runbook {@code docs/runbooks/damaged-manifest.md}).
 *
 * @param key    the manifest's key
 * @param reason what is wrong with it
 * @since 0.3.0
 */
public record DamagedManifest(String key, String reason) {
    /** Validates the components. */
    public DamagedManifest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(reason, "reason");
    }
}
