package io.pgvault.api.retention;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.Catalog;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.RepositoryException;
import io.pgvault.spi.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Executes a {@link RetentionPlan} through a {@link Catalog}, as a dry run unless told otherwise.
 *
 * <p>Safety: the catalog is listed again before anything is removed; a set the plan deletes is left alone when it is
 * already gone or when a set that appeared after planning depends on it. Sets are removed newest first, each with
 * {@link Catalog#delete} (manifest first, then objects), so an interrupted prune never leaves a listed set whose base
 * is gone, only debris. Debris (objects of a set with neither a manifest nor a live writer's claim, see
 * {@link Catalog#debris(Duration)}) is removed afterwards when it is older than the grace period (default one hour)
 * by the repository's own clock, so a prune never takes the objects of a backup that is still being written.
 *
 * @since 0.1.0
 */
public final class Pruner {
    private static final Logger LOG = LoggerFactory.getLogger(Pruner.class);
    // the storage layout of ADR 0002

    private final Catalog catalog;
    private final Duration debrisGrace;
    private final Clock clock;

    private Pruner(Catalog catalog, Duration debrisGrace, Clock clock) {
        this.catalog = catalog;
        this.debrisGrace = debrisGrace;
        this.clock = clock;
    }

    /**
     * @param catalog where the sets live
     * @return a pruner with a one-hour debris grace period and the system clock
     * @since 0.1.0
     */
    public static Pruner of(Catalog catalog) {
        return new Pruner(Objects.requireNonNull(catalog, "catalog"), Duration.ofHours(1), Clock.systemUTC());
    }

    /**
     * @param grace debris younger than this is left alone (it may belong to a backup in progress); zero or positive
     * @return a copy with that grace period
     * @since 0.1.0
     */
    public Pruner withDebrisGrace(Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new ConfigurationException("debris grace must be zero or positive, was " + grace);
        }
        return new Pruner(catalog, grace, clock);
    }

    /**
     * @param clock the clock that report durations are measured with (debris age uses the repository's clock)
     * @return a copy using it
     * @since 0.1.0
     */
    public Pruner withClock(Clock clock) {
        return new Pruner(catalog, debrisGrace, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * @param plan the plan
     * @return what a prune would remove; nothing is removed
     * @since 0.1.0
     */
    public PruneReport prune(RetentionPlan plan) {
        return prune(plan, PruneMode.DRY_RUN);
    }

    /**
     * @param plan the plan
     * @param mode {@link PruneMode#DRY_RUN} to only report, {@link PruneMode#EXECUTE} to remove
     * @return what was (or would be) removed
     * @throws RepositoryException when a removal fails; what was removed before stays removed, and the next prune
     *                             continues where this one stopped
     * @since 0.1.0
     */
    public PruneReport prune(RetentionPlan plan, PruneMode mode) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(mode, "mode");
        Instant start = clock.instant();
        List<BackupSet> current = catalog.list();
        Map<BackupId, BackupSet> byId = new HashMap<>();
        for (BackupSet s : current) {
            byId.put(s.id(), s);
        }
        List<String> skipped = new ArrayList<>();
        Set<BackupId> doomed = new HashSet<>();
        for (RetentionDecision d : plan.deleted()) {
            BackupSet now = byId.get(d.id());
            if (now == null) {
                skipped.add(d.id() + ": already gone");
            } else if (pinnedAt(now, plan.now())) {
                skipped.add(d.id() + ": pinned since the plan was made");
            } else {
                doomed.add(d.id());
            }
        }
        protectBasesOfSurvivors(current, byId, doomed, skipped);
        List<BackupSet> order = new ArrayList<>();
        for (int i = current.size() - 1; i >= 0; i--) {
            if (doomed.contains(current.get(i).id())) {
                order.add(current.get(i));
            }
        }
        // newest first, and a dependent before its base even where a writer's slow clock dated it earlier: each set
        // sorts as no older than its bases (unchanged when the dates agree with the chain), deeper first on a tie
        Map<BackupId, Instant> sortKey = new HashMap<>();
        Map<BackupId, Integer> depth = new HashMap<>();
        for (BackupSet b : order) {
            List<BackupSet> chain = chain(b, byId);
            Instant k = Instant.MIN;
            for (int i = chain.size() - 1; i >= 0; i--) {
                Instant started = chain.get(i).startedAt();
                k = started.isAfter(k) ? started : k;
            }
            sortKey.put(b.id(), k);
            depth.put(b.id(), chain.size());
        }
        order.sort(java.util.Comparator.comparing((BackupSet b) -> sortKey.get(b.id()))
                .thenComparing(b -> depth.get(b.id())).reversed());
        if (mode == PruneMode.DRY_RUN) {
            List<String> debris;
            try {
                List<String> listed = new java.util.ArrayList<>(catalog.debris(debrisGrace));
                catalog.abandonedWrites(debrisGrace).forEach(w -> listed.add(Catalog.describe(w)));
                debris = listed;
            } catch (RepositoryException e) { // reading the store's clock writes a probe: read-only credentials
                LOG.warn("dry run of {}: debris not listed, the repository's clock could not be read: {}",
                        catalog.repository().id(), e.getMessage());
                debris = List.of();
            }
            return new PruneReport(mode, plan, order, skipped, debris, Duration.between(start, clock.instant()));
        }
        int done = 0;
        List<BackupSet> removed = new ArrayList<>();
        Set<BackupId> kept = new HashSet<>();
        for (BackupSet s : order) {
            if (kept.contains(s.id())) {
                continue;
            }
            try {
                Optional<String> why = catalog.deleteUnlessKept(s.id(), plan.now());
                if (why.isPresent()) {
                    skipped.add(s.id() + ": " + why.get());
                    // newest first, so a set kept now comes before the bases it depends on: keep them too
                    keepBases(s, byId, doomed, kept, removed, skipped);
                    continue;
                }
                removed.add(s);
            } catch (PgVaultException e) {
                throw new RepositoryException("prune of " + catalog.repository().id() + " stopped after removing "
                        + done + " of " + order.size() + " set(s): removing " + s.id() + " failed: " + e.getMessage()
                        + " (a removed manifest with objects left is debris for the next prune)", e);
            }
            done++;
            LOG.info("pruned {} {} started {} from {}", s.type(), s.id(), s.startedAt(), catalog.repository().id());
        }
        List<String> removedDebris = new java.util.ArrayList<>(catalog.removeDebris(debrisGrace));
        removedDebris.addAll(catalog.abortAbandonedWrites(debrisGrace)); // uploads killed writers left (billed)
        return new PruneReport(mode, plan, removed, skipped, removedDebris, Duration.between(start, clock.instant()));
    }

    /** @return the set and the bases it stands on, as listed, itself first (a cycle or a missing base ends it) */
    private static List<BackupSet> chain(BackupSet set, Map<BackupId, BackupSet> byId) {
        List<BackupSet> chain = new ArrayList<>(List.of(set));
        BackupSet cur = set;
        while (chain.size() <= byId.size() && cur.dependsOn().isPresent() && byId.containsKey(cur.dependsOn().get())) {
            cur = byId.get(cur.dependsOn().get());
            chain.add(cur);
        }
        return chain;
    }

    /**
     * A doomed set the prune had to keep keeps its chain. The prune goes newest first, so the bases usually come
     * later; one already removed (a writer's clock dated a dependent before its base) is not reported as kept.
     */
    private static void keepBases(BackupSet survivor, Map<BackupId, BackupSet> byId, Set<BackupId> doomed,
            Set<BackupId> kept, List<BackupSet> removed, List<String> skipped) {
        BackupSet cur = survivor;
        for (int steps = 0; steps < byId.size() && cur.dependsOn().isPresent(); steps++) {
            BackupSet base = byId.get(cur.dependsOn().get());
            if (base == null) {
                return;
            }
            boolean gone = removed.stream().anyMatch(r -> r.id().equals(base.id()));
            if (doomed.contains(base.id()) && !gone && kept.add(base.id())) {
                skipped.add(base.id() + ": " + survivor.id() + " (kept) depends on it");
            }
            cur = base;
        }
    }

    private static boolean pinnedAt(BackupSet set, Instant now) {
        try {
            return set.attribute(Pin.ATTRIBUTE).map(Pin::parse).map(p -> p.activeAt(now)).orElse(false);
        } catch (ConfigurationException e) {
            return true; // an unreadable pin keeps the set, as the planner does
        }
    }

    /** A set listed now, kept or new since planning, keeps the chain it depends on; walks to a fixpoint. */
    private static void protectBasesOfSurvivors(List<BackupSet> current, Map<BackupId, BackupSet> byId,
            Set<BackupId> doomed, List<String> skipped) {
        for (int i = current.size() - 1; i >= 0; i--) {
            BackupSet survivor = current.get(i);
            if (doomed.contains(survivor.id())) {
                continue;
            }
            BackupSet cur = survivor;
            for (int steps = 0; steps < current.size() && cur.dependsOn().isPresent(); steps++) {
                BackupSet base = byId.get(cur.dependsOn().get());
                if (base == null) {
                    break;
                }
                if (doomed.remove(base.id())) {
                    skipped.add(base.id() + ": " + survivor.id() + " (listed now, not deleted) depends on it");
                }
                cur = base;
            }
        }
    }

    @Override
    public String toString() {
        return "Pruner[" + catalog.repository().id() + ", debris grace " + debrisGrace + "]";
    }
}
