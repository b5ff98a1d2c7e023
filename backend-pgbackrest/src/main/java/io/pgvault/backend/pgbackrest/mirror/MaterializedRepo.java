package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.BackupId;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.IntegrityException;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestBackup;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
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
     * @throws ConfigurationException when repo {@code repo} is not the posix repo at {@link #directory()} or sets
     *                                pgBackRest's own retention (expire could then remove materialized sets);
     *                                nothing is run
     * @throws IntegrityException     when pgBackRest does not list exactly the materialized sets afterwards
     * @since 0.2.0
     */
    public List<BackupId> forgetAbsentSets(PgBackRest pgbr, int repo) {
        PgBackRestRepo target = pgbr.config().repo(repo);
        List<String> problems = new ArrayList<>();
        if (target.type() != PgBackRestRepo.Type.POSIX || !Path.of(target.path()).normalize().equals(directory.toAbsolutePath().normalize())) {
            problems.add("repo" + repo + " must be the posix repo at " + directory + ", is " + target.type()
                    .name().toLowerCase(Locale.ROOT) + " at " + target.path());
        }
        if (target.retentionFull().isPresent() || target.retentionDiff().isPresent()) {
            problems.add("repo" + repo + " sets pgBackRest's own retention (retention-full/diff), so expire could "
                    + "remove materialized sets; configure it without retention (pgvault-managed)");
        }
        ConfigurationException.throwIfAny(problems);
        pgbr.expire(target);
        List<BackupId> listed = pgbr.backups(pgbr.config().repo(repo)).stream().map(PgBackRestBackup::id).toList();
        if (!new TreeSet<>(listed).equals(new TreeSet<>(sets))) {
            throw new IntegrityException("after expire, pgbackrest lists " + listed + " in " + directory
                    + " but the mirror materialized " + sets);
        }
        return listed;
    }
}
