package io.pgvault.api;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One backup as pgvault sees it, whatever wrote it. Serialized as the set's JSON manifest, which is written last.
 *
 * @param id          identifier, sortable by time
 * @param strategy    the strategy that wrote it, e.g. {@code pgdump}
 * @param type        FULL / DIFF / INCR / LOGICAL
 * @param status      COMPLETE, or FAILED when a tool reports a broken set
 * @param source      what was backed up: a database name, {@code *} for a whole cluster, or a stanza
 * @param startedAt   when the backup started
 * @param finishedAt  when its last object was durable
 * @param dependsOn   the set this one needs to restore (DIFF/INCR), if any
 * @param objects     the stored objects, in the order they were written
 * @param attributes  strategy-specific facts (server version, format, row counts, WAL range)
 * @param lastVerified when the set was last proven intact or restorable, if ever
 * @param authenticity whether the manifest this was read from is proven authentic (judged by the reader when it read
 *                     the manifest; never stored in it)
 * @since 0.1.0
 */
public record BackupSet(BackupId id, String strategy, BackupType type, BackupStatus status, String source,
        Instant startedAt, Instant finishedAt, Optional<BackupId> dependsOn, List<StoredObject> objects,
        Map<String, String> attributes, Optional<Instant> lastVerified,
        @JsonIgnore Authenticity authenticity) {

    /** Manifest format version written by this release. */
    public static final int FORMAT_VERSION = 1;

    /**
     * Attribute: the bytes a set stores, for a set whose files a tool keeps in a repository of its own (pgBackRest), so
     * that it has no {@link #objects()} to sum. A decimal number of bytes; read by {@link #storedBytes()}.
     *
     * @since 0.6.0
     */
    public static final String STORED_BYTES = "pgvault.stored-bytes";

    /** Validates the components; copies collections and replaces null optionals with empty ones. */
    public BackupSet {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        dependsOn = dependsOn == null ? Optional.empty() : dependsOn;
        objects = objects == null ? List.of() : List.copyOf(objects);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        lastVerified = lastVerified == null ? Optional.empty() : lastVerified;
        authenticity = authenticity == null ? Authenticity.UNSIGNED : authenticity;
        if (finishedAt.isBefore(startedAt)) {
            throw new IllegalArgumentException("finishedAt " + finishedAt + " is before startedAt " + startedAt);
        }
    }

    /**
     * A set not (yet) read from a manifest: {@link Authenticity#UNSIGNED}.
     *
     * @param id           identifier
     * @param strategy     the strategy that wrote it
     * @param type         FULL / DIFF / INCR / LOGICAL
     * @param status       COMPLETE or FAILED
     * @param source       what was backed up
     * @param startedAt    when the backup started
     * @param finishedAt   when its last object was durable
     * @param dependsOn    the set this one needs to restore, if any
     * @param objects      the stored objects
     * @param attributes   strategy-specific facts
     * @param lastVerified when the set was last proven intact or restorable, if ever
     */
    public BackupSet(BackupId id, String strategy, BackupType type, BackupStatus status, String source,
            Instant startedAt, Instant finishedAt, Optional<BackupId> dependsOn, List<StoredObject> objects,
            Map<String, String> attributes, Optional<Instant> lastVerified) {
        this(id, strategy, type, status, source, startedAt, finishedAt, dependsOn, objects, attributes, lastVerified,
                Authenticity.UNSIGNED);
    }

    /** @return total size before compression and encryption */
    public long logicalBytes() {
        return objects.stream().mapToLong(StoredObject::logicalBytes).sum();
    }

    /**
     * @return total size as stored: the sum of the objects' stored sizes; for a set without objects whose tool keeps
     *         its files itself, the {@link #STORED_BYTES} attribute (0 when absent or not a number)
     */
    public long storedBytes() {
        if (objects.isEmpty()) {
            try {
                return Math.max(0, Long.parseLong(attributes.getOrDefault(STORED_BYTES, "0")));
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return objects.stream().mapToLong(StoredObject::storedBytes).sum();
    }

    /** @return how long the backup took */
    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    /**
     * @param name attribute name
     * @return its value, if recorded
     */
    public Optional<String> attribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }

    /**
     * @param when when the set was proven intact or restorable
     * @return a copy recording that
     */
    public BackupSet withLastVerified(Instant when) {
        return new BackupSet(id, strategy, type, status, source, startedAt, finishedAt, dependsOn, objects,
                attributes, Optional.of(when), authenticity);
    }

    /**
     * @param attributes the attributes to record instead
     * @return a copy with them
     * @since 0.4.0
     */
    public BackupSet withAttributes(Map<String, String> attributes) {
        return new BackupSet(id, strategy, type, status, source, startedAt, finishedAt, dependsOn, objects,
                attributes, lastVerified, authenticity);
    }

    /**
     * @param authenticity what the reader proved of the manifest
     * @return a copy carrying it
     * @since 0.4.0
     */
    public BackupSet withAuthenticity(Authenticity authenticity) {
        return new BackupSet(id, strategy, type, status, source, startedAt, finishedAt, dependsOn, objects,
                attributes, lastVerified, authenticity);
    }
}
