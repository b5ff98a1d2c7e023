package io.pgvault.storage.s3;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@link S3Repository#prepareRead(java.util.Collection, ArchiveRetrieval, java.util.function.Consumer)} did: every
 * object asked for is readable now.
 *
 * @param objects        how many distinct objects were asked for
 * @param archived       the keys that were in an archive storage class (all now restored), in the order asked
 * @param archivedBytes  their bytes
 * @param requestsSent   RestoreObject requests that started a retrieval (202); objects being restored need none, nor
 *                       do restored ones whose copy lasts long enough (one expiring sooner gets a request answered
 *                       200, which only extends it and is not counted)
 * @param waited         time from the start to the last object ready
 * @param earliestExpiry when the first restored copy expires (S3's {@code expiry-date}); read before then. Empty when
 *                       nothing was archived or S3 did not say
 * @since 0.6.0
 */
public record ArchiveRetrievalResult(int objects, List<String> archived, long archivedBytes, int requestsSent,
        Duration waited, Optional<Instant> earliestExpiry) {

    /** Copies the list; replaces a null optional with an empty one. */
    public ArchiveRetrievalResult {
        archived = archived == null ? List.of() : List.copyOf(archived);
        earliestExpiry = earliestExpiry == null ? Optional.empty() : earliestExpiry;
    }
}
