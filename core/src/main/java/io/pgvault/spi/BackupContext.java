package io.pgvault.spi;

import io.pgvault.api.BackupId;
import io.pgvault.api.StoredObject;
import io.pgvault.spi.process.ProcessRunner;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * What core gives a {@link BackupStrategy} while it takes one backup: an identifier, a way to stream objects through
 * the pipeline (compression, encryption, SHA-256) into the repository, the process runner and a scratch directory.
 * The strategy never writes the manifest: core does, last, after every object is durable.
 *
 * @since 0.1.0
 */
public interface BackupContext {

    /** @return the identifier of the set being written */
    BackupId id();

    /** @return when the backup started */
    Instant startedAt();

    /** @return the clock to stamp times with */
    Clock clock();

    /**
     * Streams one object through the pipeline into the repository, atomically.
     *
     * @param name       the object's name within the set: a safe relative key (see {@link ObjectKeys})
     * @param attributes strategy-specific facts recorded with the object (format, database, ...)
     * @param writer     produces the object's logical bytes
     * @return the stored object with its sizes and digests
     */
    StoredObject writeObject(String name, Map<String, String> attributes, ObjectWriter writer);

    /** @return the runner every external tool must be started through */
    ProcessRunner processes();

    /**
     * @return a private directory for tools that cannot stream (pg_dump's directory format); core deletes it when
     *         the backup ends
     */
    Path scratchDirectory();
}
