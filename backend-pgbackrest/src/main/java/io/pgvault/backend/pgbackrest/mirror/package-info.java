/**
 * Mirroring a pgBackRest repository to a tier pgBackRest cannot write itself (Google Drive, any pgvault
 * {@link io.pgvault.spi.Repository}): {@link io.pgvault.backend.pgbackrest.mirror.PgBackRestMirror} copies the sets a
 * tier's filter selects with the WAL they need and pgBackRest's info files, byte for byte and incrementally, prunes
 * by the tier's retention, verifies by rehashing, and materializes a local posix repository to restore from. See
 * ADR 0012 and the runbook {@code docs/runbooks/restore-from-drive-mirror.md}.
 *
 * @since 0.2.0
 */
package io.pgvault.backend.pgbackrest.mirror;
