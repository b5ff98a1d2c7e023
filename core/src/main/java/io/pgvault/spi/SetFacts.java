package io.pgvault.spi;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What only a strategy knows about the backup it just took. Everything else of the set (its id, strategy name,
 * start and finish times, and the objects written through {@link BackupContext#writeObject}) core records itself,
 * from what the context saw, so a strategy cannot get them wrong.
 *
 * @param type       FULL / DIFF / INCR / LOGICAL
 * @param status     COMPLETE, or FAILED when the tool reports a broken backup
 * @param source     what was backed up: a database name, {@code *} for a whole cluster, or a stanza
 * @param dependsOn  the set this one needs to restore (DIFF/INCR), if any
 * @param attributes strategy-specific facts (server version, format, {@link io.pgvault.api.RowCounts}); not
 *                   {@code pin.until} nor {@code tier.*}, which are core's
 * @since 0.3.0
 */
public record SetFacts(BackupType type, BackupStatus status, String source, Optional<BackupId> dependsOn,
        Map<String, String> attributes) {
    /** Validates the components and copies the map. */
    public SetFacts {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(source, "source");
        dependsOn = dependsOn == null ? Optional.empty() : dependsOn;
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        for (String key : attributes.keySet()) {
            if (key.equals(io.pgvault.api.retention.Pin.ATTRIBUTE) || key.startsWith("tier.")) {
                throw new IllegalArgumentException("attribute " + key + " is core's own (pins are records, tier "
                        + "facts are written by the copier); a strategy cannot set it");
            }
        }
    }

    /**
     * @param source     what was backed up
     * @param attributes strategy-specific facts
     * @return a complete logical backup with no dependency
     */
    public static SetFacts logical(String source, Map<String, String> attributes) {
        return new SetFacts(BackupType.LOGICAL, BackupStatus.COMPLETE, source, Optional.empty(), attributes);
    }
}
