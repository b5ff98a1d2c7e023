package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.BackupId;
import io.pgvault.api.IntegrityException;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestBackup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * A local posix pgBackRest repository made from a mirror by {@link PgBackRestMirror#materialize}: the chosen sets,
 * the sets they reference, their WAL and the info files, every file checked against its recorded SHA-256.
 *
 * <p>The info files are pgBackRest's own, copied byte for byte, so {@code backup.info} may still list sets the mirror
 * does not hold. {@link #forgetAbsentSets(PgBackRest, int)} runs {@code pgbackrest expire}, which rebuilds
 * {@code backup.info} from the manifests present on disk, after which {@code info} lists exactly the materialized
 * sets and a restore without {@code --set} picks the newest of them.
 *
 * @param directory        the repository's root: configure it as {@code repoN-path} of a posix repo
 * @param stanza           the stanza
 * @param sets             the sets it holds (asked for, plus what they reference), oldest first
 * @param filesDownloaded  files read from the mirror
 * @param filesPresent     files already present locally with the right digest (a repeated materialize)
 * @param bytesDownloaded  bytes read from the mirror
 * @param duration         how long it took
 * @since 0.2.0
 */
public record MaterializedRepo(Path directory, String stanza, List<BackupId> sets, int filesDownloaded,
        int filesPresent, long bytesDownloaded, Duration duration) {

    /** Validates the components and copies the list. */
    public MaterializedRepo {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(stanza, "stanza");
        sets = List.copyOf(Objects.requireNonNull(sets, "sets"));
        Objects.requireNonNull(duration, "duration");
    }

    /**
     * Makes pgBackRest's {@code backup.info} list exactly the materialized sets: runs {@code expire --repo=N} (with
     * pgvault-managed retention it expires nothing by count; loading {@code backup.info} drops sets whose manifest is
     * absent and adds present ones it lacks), then checks {@code info}.
     *
     * @param pgbr a facade whose repo {@code repo} is a posix repo at {@link #directory()}, same stanza, with the
     *             source repository's cipher passphrase when it was encrypted
     * @param repo the repo index
     * @return the sets pgBackRest now lists
     * @throws IntegrityException when pgBackRest does not list exactly the materialized sets afterwards
     * @since 0.2.0
     */
    public List<BackupId> forgetAbsentSets(PgBackRest pgbr, int repo) {
        pgbr.expire(repo);
        List<BackupId> listed = pgbr.backups(OptionalInt.of(repo)).stream().map(PgBackRestBackup::id).toList();
        if (!new TreeSet<>(listed).equals(new TreeSet<>(sets))) {
            throw new IntegrityException("after expire, pgbackrest lists " + listed + " in " + directory
                    + " but the mirror materialized " + sets);
        }
        return listed;
    }
}
