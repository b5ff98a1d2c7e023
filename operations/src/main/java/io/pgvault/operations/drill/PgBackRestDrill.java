package io.pgvault.operations.drill;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.NotFoundException;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PhysicalRestoreRequest;
import io.pgvault.backend.pgbackrest.RestoreTarget;
import io.pgvault.backend.pgbackrest.TargetAction;
import io.pgvault.backend.pgbackrest.TargetTimeline;

import java.util.Comparator;
import java.util.List;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The pgBackRest side of a drill: which set, and {@code pgbackrest restore} into the throwaway server's data
 * directory with {@code --archive-mode=off} (the copy must never archive into the stanza's repos) and, for a PITR
 * target, {@code --target-action=promote}. Only loaded when a drill uses pgBackRest, so hosts without the
 * pgBackRest backend never need its classes.
 */
final class PgBackRestDrill {
    private final PgBackRest pgbr;
    private final Optional<RestoreTarget> target;
    private final Optional<TargetTimeline> timeline;
    private final OptionalInt repo;

    PgBackRestDrill(PgBackRest pgbr, Optional<RestoreTarget> target, Optional<TargetTimeline> timeline,
            OptionalInt repo) {
        this.pgbr = pgbr;
        this.target = target;
        this.timeline = timeline;
        this.repo = repo;
    }

    String stanza() {
        return pgbr.config().stanza();
    }

    /** @return the backed-up cluster's bin directory, when the stanza's config names one */
    Optional<Path> clusterBinDir() {
        return pgbr.config().cluster().binDir();
    }

    /** @return the role pgvault connects to the backed-up cluster as: a role the restored copy has too */
    String clusterUser() {
        return pgbr.config().cluster().user();
    }

    /**
     * @param id the set asked for, if any
     * @return that set, or the newest one pgBackRest lists
     */
    BackupSet choose(Optional<BackupId> id) {
        List<BackupSet> sets = repo.isPresent() ? pgbr.list(pgbr.config().repo(repo.getAsInt())) : pgbr.info();
        if (id.isPresent()) {
            return sets.stream().filter(s -> s.id().equals(id.get())).findFirst().orElseThrow(
                    () -> new NotFoundException("pgBackRest lists no set " + id.get().value() + " in stanza "
                            + stanza()));
        }
        return sets.stream().max(Comparator.comparing(BackupSet::finishedAt).thenComparing(BackupSet::id))
                .orElseThrow(() -> new NotFoundException("pgBackRest lists no backup set in stanza " + stanza()
                        + " to drill"));
    }

    /** @return a description of the target for the report */
    String describeTarget() {
        return target.map(t -> " (PITR " + String.join(" ", t.arguments()) + ")").orElse("")
                + timeline.map(t -> " (--target-timeline=" + t.option() + ")").orElse("");
    }

    /**
     * Restores into the throwaway server's (not yet existing) data directory; the caller starts it.
     *
     * @param set      the set to restore (passed as {@code --set} only when no PITR target lets pgBackRest choose)
     * @param explicit whether the caller named the set
     */
    void restore(BackupSet set, boolean explicit, ThrowawayPostgres pg) {
        PhysicalRestoreRequest.Builder b = PhysicalRestoreRequest.builder()
                .dataDirectory(pg.dataDirectory())
                .archiveModeOff(true)
                .targetAction(TargetAction.PROMOTE)
                .target(target.orElse(RestoreTarget.latest()));
        if (explicit || target.isEmpty()) {
            b.set(set.id());
        }
        repo.ifPresent(b::repo);
        timeline.ifPresent(b::targetTimeline);
        pgbr.restore(b.build());
    }
}
