package io.pgvault.spi;

import io.pgvault.api.BackupSet;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.RestoreResult;

import java.util.List;

/**
 * Takes, restores and structurally checks backups of one kind (pg_dump, pgBackRest, ...).
 *
 * <p>A strategy writes objects only through {@link BackupContext#writeObject} and returns what only it knows of the
 * backup ({@link SetFacts}); core assembles the set from those facts and from what the context saw (id, times,
 * objects) and writes the manifest afterwards, so a strategy that throws leaves no listed set. A strategy must not swallow a
 * tool's failure: a dump that exited non-zero is not a backup.
 *
 * @since 0.1.0
 */
public interface BackupStrategy {

    /** @return the name recorded in manifests, e.g. {@code pgdump} */
    String name();

    /**
     * Takes one backup.
     *
     * @param context where to write objects
     * @return what only the strategy knows of it: type, status, source, dependency, attributes (changed in 0.3.0:
     *         it returned the whole {@code BackupSet} before, which core now assembles)
     */
    SetFacts backup(BackupContext context);

    /**
     * Restores a set. Core has already checked the stored checksums when {@link RestoreRequest#verifyFirst()} asks.
     *
     * @param set     the set to restore, as listed by the catalog
     * @param request what to restore and where
     * @param context access to the set's objects
     * @return what was restored
     */
    RestoreResult restore(BackupSet set, RestoreRequest request, ReadContext context);

    /**
     * Checks a restore before anything of the set is read: what the manifest and the target alone can tell (a request
     * the set cannot satisfy, a target that does not answer, names already taken, a server that cannot load the
     * set). Core calls it before the set is claimed, brought back from an archive storage class, or verified, so that
     * a restore bound to fail fails in seconds instead of after hours of retrieval or a read of the whole set.
     * {@link #restore} must check again: the target may change in between. The default checks nothing.
     *
     * @param set       the set to restore, as listed by the catalog
     * @param request   what to restore and where
     * @param processes runs the tools the check needs
     * @throws io.pgvault.api.PgVaultException what {@link #restore} would throw for the same reason
     * @since 0.6.0
     */
    default void preflight(BackupSet set, RestoreRequest request, io.pgvault.spi.process.ProcessRunner processes) {
    }

    /**
     * Checks a set's structure beyond checksums (decrypt, decompress, parse), without restoring it.
     *
     * @param set     the set to check
     * @param context access to the set's objects
     * @return problems found; empty when the set is sound
     */
    List<String> verifyStructure(BackupSet set, ReadContext context);
}
