package io.pgvault.operations.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the server says about WAL archiving ({@code pg_stat_archiver}, {@code pg_current_wal_lsn()}), measured at one
 * moment. The lag is the RPO at risk: zero while every completed WAL segment is archived (the segment being written
 * is bounded by {@code archive_timeout}), otherwise the time since the last successful archive.
 *
 * @param measuredAt      the server's {@code now()}
 * @param archiveMode     {@code archive_mode}: on, off or always
 * @param inRecovery      whether the server is a standby (then WAL position and lag are unknown here)
 * @param archivedCount   segments archived since the statistics were reset
 * @param lastArchivedWal the last file archived, if any
 * @param lastArchived    when it was archived
 * @param failedCount     failed archive attempts since the statistics were reset
 * @param lastFailedWal   the last file whose archiving failed, if any
 * @param lastFailed      when it failed
 * @param currentWal      the WAL file being written, on a primary
 * @param pendingSegments completed segments not yet archived (never negative), on a primary
 * @param lagBytes        WAL bytes written after the end of the last archived segment, on a primary
 * @param lag             the archive lag as defined above, on a primary
 * @since 0.2.0
 */
public record ArchiveStatus(Instant measuredAt, String archiveMode, boolean inRecovery, long archivedCount,
        Optional<String> lastArchivedWal, Optional<Instant> lastArchived, long failedCount,
        Optional<String> lastFailedWal, Optional<Instant> lastFailed, Optional<String> currentWal,
        Optional<Long> pendingSegments, Optional<Long> lagBytes, Optional<Duration> lag) {

    /** @return whether the latest archive attempt failed (a failure newer than the last success) */
    public boolean failing() {
        return lastFailed.isPresent() && (lastArchived.isEmpty() || lastFailed.get().isAfter(lastArchived.get()));
    }
}
