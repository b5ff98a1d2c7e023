package io.pgvault.api.tier;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupType;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one backup set exists.
 *
 * @param id        the set
 * @param type      its type
 * @param source    what it backed up
 * @param startedAt when it started
 * @param copies    per location ({@code primary} or a tier's name): the copy held there; a location without an
 *                  entry does not hold the set
 * @param missingOn per tier name that should hold the set (its filter selects it, its retention keeps it) but does not
 * @since 0.2.0
 */
public record Placement(BackupId id, BackupType type, String source, Instant startedAt, Map<String, Copy> copies,
        java.util.List<String> missingOn) {

    /** The location name of the primary repository in reports. */
    public static final String PRIMARY = "primary";

    /** Validates the components and copies the collections. */
    public Placement {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(startedAt, "startedAt");
        copies = Map.copyOf(Objects.requireNonNull(copies, "copies"));
        missingOn = java.util.List.copyOf(Objects.requireNonNull(missingOn, "missingOn"));
    }

    /**
     * One copy of a set.
     *
     * @param storedBytes bytes stored at the location
     * @param encryption  the encryption scheme of its objects
     * @param verifiedAt  when the copy was verified by hash (tiers) or last deep-verified (the primary), if known
     */
    public record Copy(long storedBytes, String encryption, Optional<Instant> verifiedAt) {
        /** Validates the components. */
        public Copy {
            Objects.requireNonNull(encryption, "encryption");
            verifiedAt = verifiedAt == null ? Optional.empty() : verifiedAt;
        }
    }
}
