package io.pgvault.api.tier;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.Catalog;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Leases;
import io.pgvault.api.RepositoryLayout;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RepositoryException;
import io.pgvault.api.event.EventDispatcher;
import io.pgvault.api.event.Events;
import io.pgvault.api.event.VaultListener;
import io.pgvault.api.retention.Keep;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.PruneReport;
import io.pgvault.api.retention.Pruner;
import io.pgvault.api.retention.RetentionDecision;
import io.pgvault.api.retention.RetentionPlan;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.internal.pipeline.Pipeline;
import io.pgvault.spi.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Keeps tiers in step with a primary repository: copies the sets each tier's filter selects, verifies every copy by
 * hash, writes the tier's manifest last, resumes interrupted copies, prunes each tier with its own retention, and
 * reports what exists where. {@link io.pgvault.api.PgVault} owns one; hosts and other modules (a physical mirror, the
 * operations module) may use it directly.
 *
 * <p>What a tier "is missing": the primary's {@code COMPLETE} sets that its filter selects (plus the sets they depend
 * on), that are not committed on the tier, and that the tier's retention would keep if they were there (so a set the
 * tier pruned is not copied again). Copies run oldest first, one tier at a time; a failure on one tier never stops the
 * others and never touches the primary. Thread-safe: passes over one tier are serialized.
 *
 * @since 0.2.0
 */
public final class Tiering {
    private static final Logger LOG = LoggerFactory.getLogger(Tiering.class);

    private final Catalog primary;
    private final Pipeline primaryPipeline;
    private final List<Tier> tiers;
    private final Predicate<BackupSet> scope;
    private final Clock clock;
    private final VaultListener listener;
    private final Map<String, TierState> states = new LinkedHashMap<>();
    private final Leases leases;
    private final Duration debrisGrace;
    private final boolean acceptUnauthenticated;

    private Tiering(Catalog primary, PipelineOptions primaryPipeline, List<Tier> tiers, Predicate<BackupSet> scope,
            Clock clock, VaultListener listener, Leases leases, Duration debrisGrace, boolean acceptUnauthenticated) {
        this.primary = primary;
        this.acceptUnauthenticated = acceptUnauthenticated;
        this.leases = leases;
        this.debrisGrace = debrisGrace;
        this.primaryPipeline = new Pipeline(primaryPipeline);
        this.tiers = List.copyOf(tiers);
        this.scope = scope;
        this.clock = clock;
        this.listener = listener;
        tiers.forEach(t -> states.put(t.name(), new TierState(t.pipeline().map(Pipeline::new))));
    }

    /**
     * @param primary         where the sets are committed first
     * @param primaryPipeline the primary's pipeline options (their key decodes primary objects for re-encoded tiers)
     * @param tiers           the tiers, with unique names and repositories other than the primary
     * @param clock           time source for filters, retention and reports
     * @param listener        told about copies, failures and prunes (with the tier's name as location)
     * @return the tiering
     * @throws ConfigurationException listing every problem with the tiers
     */
    public static Tiering of(Repository primary, PipelineOptions primaryPipeline, List<Tier> tiers, Clock clock,
            VaultListener listener) {
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(primaryPipeline, "primaryPipeline");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(listener, "listener");
        ConfigurationException.throwIfAny(problems(primary, tiers));
        return new Tiering(new Catalog(primary, Leases.defaults(), primaryPipeline), primaryPipeline, tiers, s -> true,
                clock, listener, Leases.defaults(), Duration.ofHours(1), false);
    }

    /**
     * @param primary a primary repository
     * @param tiers   tiers to check
     * @return every problem: null tiers, duplicate names, a tier on the primary's or another tier's repository
     */
    public static List<String> problems(Repository primary, List<Tier> tiers) {
        List<String> problems = new ArrayList<>();
        if (tiers == null) {
            problems.add("tiers must not be null");
            return problems;
        }
        Set<String> names = new HashSet<>();
        Map<String, String> locations = new HashMap<>();
        if (primary != null) {
            locations.put(primary.id(), "the primary repository");
        }
        for (Tier t : tiers) {
            if (t == null) {
                problems.add("a tier is null");
                continue;
            }
            if (!names.add(t.name())) {
                problems.add("tier name '" + t.name() + "' is used twice");
            }
            String other = locations.putIfAbsent(t.repository().id(), "tier " + t.name());
            if (other != null) {
                problems.add("tier " + t.name() + " writes to " + t.repository().id() + ", which is already "
                        + other);
            }
        }
        return problems;
    }

    /**
     * @param scope which primary and tier sets this tiering handles (a vault passes its strategy's sets)
     * @return a copy handling only those sets; the failure history is not carried over
     */
    public Tiering withScope(Predicate<BackupSet> scope) {
        return new Tiering(primary, primaryPipeline.options(), tiers, Objects.requireNonNull(scope, "scope"), clock,
                listener, leases, debrisGrace, acceptUnauthenticated);
    }

    /**
     * @param leases how long a copier's claim on a set in progress lasts, on the primary and every tier
     * @return a copy using them; the failure history is not carried over
     * @since 0.3.0
     */
    public Tiering withLeases(Leases leases) {
        return new Tiering(new Catalog(primary.repository(), Objects.requireNonNull(leases, "leases"),
                primaryPipeline.options()), primaryPipeline.options(), tiers, scope, clock, listener, leases,
                debrisGrace, acceptUnauthenticated);
    }

    /**
     * @param grace how old debris on a tier must be, by the tier's clock, before {@link #prune} removes it; default
     *              one hour
     * @return a copy using it; the failure history is not carried over
     * @since 0.3.0
     */
    public Tiering withDebrisGrace(Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new ConfigurationException("debris grace must be zero or positive, was " + grace);
        }
        return new Tiering(primary, primaryPipeline.options(), tiers, scope, clock, listener, leases, grace,
                acceptUnauthenticated);
    }

    /**
     * @param accept whether sets whose primary manifest is not proven authentic ({@link
     *               io.pgvault.api.Authenticity}) are copied to tiers; default false: such a set is reported as a
     *               failed copy and never written to a tier (ADR 0013)
     * @return a copy deciding so; the failure history is not carried over
     * @since 0.4.0
     */
    public Tiering acceptingUnauthenticated(boolean accept) {
        return new Tiering(primary, primaryPipeline.options(), tiers, scope, clock, listener, leases, debrisGrace,
                accept);
    }

    /**
     * The sets a tier holds as copies. Where the tier signs its manifests, one that is not proven authentic (a
     * manifest planted under a primary set's id, say) is not a copy: counting it would let the primary prune the
     * real set. Unless this tiering accepts unauthenticated sets.
     */
    private Set<BackupId> heldOn(Tier tier, List<BackupSet> onTier) {
        boolean signs = catalogOf(tier).signs();
        Set<BackupId> held = new HashSet<>();
        for (BackupSet s : onTier) {
            if (!signs || acceptUnauthenticated || s.authenticity().proven()) {
                held.add(s.id());
            } else {
                LOG.warn("tier {} holds a manifest for set {} that is {}: it does not count as a copy", tier.name(),
                        s.id(), s.authenticity());
            }
        }
        return held;
    }

    private Catalog catalogOf(Tier tier) {
        return new Catalog(tier.repository(), leases, tier.pipeline().orElse(primaryPipeline.options()));
    }

    /** @return the tiers, in declaration order */
    public List<Tier> tiers() {
        return tiers;
    }

    /**
     * @param name a tier's name
     * @return the tier
     * @throws NotFoundException when there is no tier of that name
     */
    public Tier tier(String name) {
        return tiers.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() -> new NotFoundException(
                "no tier named '" + name + "'; tiers: " + tiers.stream().map(Tier::name).toList()));
    }

    /**
     * Brings every tier up to date after {@code set} was committed on the primary: the new set goes to each tier whose
     * filter selects it, together with anything else a tier is missing (a month-end set becomes final once the next
     * month's first backup exists; earlier failures are retried).
     *
     * @param set the set just committed on the primary
     * @return the set and each tier's report; never throws for a failed copy
     */
    public BackupResult afterBackup(BackupSet set) {
        return new BackupResult(set, sync().tiers());
    }

    /**
     * Copies whatever each tier is missing, resuming interrupted copies (verified objects already on a tier are not
     * sent again).
     *
     * @return one report per tier; failures are reported, not thrown
     */
    public SyncReport sync() {
        Instant start = clock.instant();
        List<TierReport> reports = new ArrayList<>();
        Map<BackupId, BackupSet> primarySets = new HashMap<>();
        try {
            primaryComplete().forEach(s -> primarySets.put(s.id(), s));
        } catch (PgVaultException e) {
            for (Tier t : tiers) {
                reports.add(unreadable(t, "primary " + primary.repository().id() + " cannot be listed: "
                        + e.getMessage(), e));
            }
            return new SyncReport(reports, Duration.between(start, clock.instant()));
        }
        for (Tier t : tiers) {
            reports.add(sync(t, primarySets));
        }
        return new SyncReport(reports, Duration.between(start, clock.instant()));
    }

    /**
     * @param tierName one tier
     * @return what syncing that tier did
     */
    public TierReport sync(String tierName) {
        Tier tier = tier(tierName);
        Map<BackupId, BackupSet> primarySets = new HashMap<>();
        try {
            primaryComplete().forEach(s -> primarySets.put(s.id(), s));
        } catch (PgVaultException e) {
            return unreadable(tier, "primary " + primary.repository().id() + " cannot be listed: " + e.getMessage(),
                    e);
        }
        return sync(tier, primarySets);
    }

    private TierReport unreadable(Tier tier, String problem, PgVaultException e) {
        states.get(tier.name()).failed(new TierFailure(clock.instant(), Optional.empty(), e.code(), e.retryable(),
                problem));
        LOG.warn("tier {} ({}) could not be synced: {}", tier.name(), tier.repository().id(), problem);
        return new TierReport(tier.name(), tier.required(), List.of(), Optional.of(problem));
    }

    private TierReport sync(Tier tier, Map<BackupId, BackupSet> primarySets) {
        TierState state = states.get(tier.name());
        synchronized (state.passLock) {
            List<BackupSet> missing;
            try {
                missing = missing(tier, primarySets, listScoped(catalogOf(tier)));
            } catch (PgVaultException e) {
                return unreadable(tier, e.getMessage(), e);
            } catch (RuntimeException e) { // a host's filter or policy threw: report it, the backup still stands
                return unreadable(tier, "choosing the sets for tier " + tier.name() + " failed: " + e,
                        new RepositoryException("choosing the sets for tier " + tier.name() + " failed: " + e, e));
            }
            TierCopier copier = new TierCopier(primary.repository(), primaryPipeline, tier, state.pipeline, clock,
                    listener, leases, acceptUnauthenticated);
            List<SetCopy> copies = new ArrayList<>();
            Set<BackupId> failed = new HashSet<>();
            for (BackupSet set : missing) {
                SetCopy copy = set.dependsOn().filter(failed::contains).isPresent()
                        ? baseFailed(tier, set) : copier.copy(set);
                // a re-encoding tier with a passphrase: the next copy's set key is made now, between copies
                state.pipeline.ifPresent(p -> p.prepareSetKey(clock.instant()));
                copies.add(copy);
                record(tier, state, copy);
                if (!copy.succeeded()) {
                    failed.add(set.id());
                }
            }
            if (copies.isEmpty()) {
                state.succeeded(clock.instant());
            }
            return new TierReport(tier.name(), tier.required(), copies, Optional.empty());
        }
    }

    private SetCopy baseFailed(Tier tier, BackupSet set) {
        return new SetCopy(tier.name(), set.id(), Optional.empty(), 0, 0, 0, Duration.ZERO, Optional.of(
                new NotFoundException("not copied to tier " + tier.name() + ": the set it depends on, "
                        + set.dependsOn().orElseThrow() + ", failed to copy")));
    }

    private void record(Tier tier, TierState state, SetCopy copy) {
        Instant now = clock.instant();
        if (copy.succeeded()) {
            state.succeeded(now);
            LOG.info("tier {}: {}", tier.name(), copy.describe());
            listener.on(new Events.CopiedToTier(now, tier.name(), copy.copy().orElseThrow(), copy.bytesSent(),
                    copy.duration()));
        } else {
            PgVaultException e = copy.error().orElseThrow();
            state.failed(new TierFailure(now, Optional.of(copy.id()), e.code(), e.retryable(), e.getMessage()));
            LOG.warn("tier {} ({}{}): copy of {} failed, the primary set is untouched and the next sync retries: {}",
                    tier.name(), tier.repository().id(), tier.required() ? ", required" : ", optional", copy.id(),
                    e.getMessage());
            listener.on(new Events.TierCopyFailed(now, tier.name(), copy.id(), e));
        }
    }

    /**
     * @param tierName a tier
     * @return the primary's sets the tier should hold but does not, oldest first
     */
    public List<BackupSet> missing(String tierName) {
        Tier tier = tier(tierName);
        Map<BackupId, BackupSet> primarySets = new HashMap<>();
        primaryComplete().forEach(s -> primarySets.put(s.id(), s));
        return missing(tier, primarySets, listScoped(catalogOf(tier)));
    }

    private List<BackupSet> missing(Tier tier, Map<BackupId, BackupSet> primarySets, List<BackupSet> onTier) {
        // a primary that signs chooses among what it can authenticate: planted manifests (a later one in the month,
        // or many newer ones) must not push a real set out of a tier's filter or retention and so out of the copies
        // the primary's prune waits for (ADR 0013); the chain walk below still sees every set
        boolean judged = primary.signs() && !acceptUnauthenticated;
        List<BackupSet> complete = primarySets.values().stream().filter(s -> !judged || s.authenticity().proven())
                .sorted(java.util.Comparator.comparing(BackupSet::startedAt).thenComparing(BackupSet::id)).toList();
        Instant now = clock.instant();
        Set<BackupId> wanted = new HashSet<>();
        for (BackupSet s : tier.filter().select(complete, now)) {
            if (judged && standsOnUnproven(s, primarySets)) { // the tier could not restore it: say so, copy nothing
                LOG.warn("tier {}: set {} is not copied: a set it depends on is not authenticated (runbook "
                        + "unauthenticated-sets.md)", tier.name(), s.id());
                continue;
            }
            for (BackupSet cur = s; cur != null && wanted.add(cur.id()); ) {
                cur = cur.dependsOn().map(primarySets::get).orElse(null); // a tier holds what it needs to restore
            }
        }
        Set<BackupId> held = heldOn(tier, onTier);
        List<BackupSet> candidates = complete.stream().filter(s -> wanted.contains(s.id()) && !held.contains(s.id()))
                .toList();
        if (candidates.isEmpty() || tier.retention().isEmpty()) {
            return candidates;
        }
        List<BackupSet> all = new ArrayList<>(onTier.stream().filter(s -> held.contains(s.id())).toList());
        all.addAll(candidates); // an unproven manifest on the tier is no copy, and shares the candidate's id
        Set<BackupId> kept = new HashSet<>();
        RetentionPlan.of(tier.retention().get(), all, now).kept().stream().map(RetentionDecision::id)
                .forEach(kept::add);
        return candidates.stream().filter(s -> kept.contains(s.id())).toList();
    }

    /**
     * Applies each tier's own retention to the tier's catalog; a tier without retention keeps every set, and only
     * its debris (objects of copies abandoned over an hour ago) is removed. The primary's retention is separate
     * ({@code PgVault#prune}).
     *
     * @param mode {@link PruneMode#DRY_RUN} to only report, {@link PruneMode#EXECUTE} to remove
     * @return per tier name, in declaration order, what was (or would be) removed
     * @throws RepositoryException when a tier could not be pruned; every other tier was pruned all the same (their
     *                             {@code Pruned} events were sent) and the failure is in {@link #health()}
     */
    public Map<String, PruneReport> prune(PruneMode mode) {
        Objects.requireNonNull(mode, "mode");
        Map<String, PruneReport> reports = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        PgVaultException first = null;
        for (Tier tier : tiers) {
            TierState state = states.get(tier.name());
            synchronized (state.passLock) {
                try {
                    Catalog catalog = catalogOf(tier);
                    List<BackupSet> sets = listScoped(catalog);
                    RetentionPlan plan = catalog.signs() && !acceptUnauthenticated
                            ? RetentionPlan.ofAuthenticated(tier.retention().orElse(KEEP_ALL), sets, clock.instant())
                            : RetentionPlan.of(tier.retention().orElse(KEEP_ALL), sets, clock.instant());
                    PruneReport report = Pruner.of(catalog).withDebrisGrace(debrisGrace).prune(plan, mode);
                    LOG.info("tier {}: {}", tier.name(), report.render().lines().findFirst().orElse(""));
                    listener.on(new Events.Pruned(clock.instant(), tier.name(), report));
                    reports.put(tier.name(), report);
                } catch (PgVaultException e) { // one tier down must not keep the others from being pruned
                    String problem = "prune of tier " + tier.name() + " (" + tier.repository().id() + ") failed: "
                            + e.getMessage();
                    LOG.warn("{}", problem);
                    state.failed(new TierFailure(clock.instant(), Optional.empty(), e.code(), e.retryable(),
                            problem));
                    failed.add(problem);
                    first = first == null ? e : first;
                }
            }
        }
        if (!failed.isEmpty()) {
            RepositoryException e = new RepositoryException(String.join("; ", failed) + (reports.isEmpty() ? ""
                    : "; pruned: " + String.join(", ", reports.keySet())), first);
            throw e;
        }
        return reports;
    }

    /**
     * @return each tier's state for health checks: what it lacks now and the last success and failure seen
     */
    public List<TierHealth> health() {
        List<TierHealth> health = new ArrayList<>();
        Map<BackupId, BackupSet> primarySets = new HashMap<>();
        Optional<String> primaryProblem = Optional.empty();
        try {
            primaryComplete().forEach(s -> primarySets.put(s.id(), s));
        } catch (PgVaultException e) {
            primaryProblem = Optional.of("primary " + primary.repository().id() + " cannot be listed: "
                    + e.getMessage());
        }
        for (Tier tier : tiers) {
            TierState state = states.get(tier.name());
            List<BackupId> missing = List.of();
            List<BackupId> lost = List.of();
            Optional<Instant> newest = Optional.empty();
            Optional<String> unreadable = primaryProblem;
            try {
                List<BackupSet> onTier = listScoped(catalogOf(tier));
                newest = onTier.stream().map(BackupSet::startedAt).max(Instant::compareTo);
                List<BackupSet> lacking = missing(tier, primarySets, onTier);
                missing = lacking.stream().map(BackupSet::id).toList();
                lost = lost(tier, lacking, heldOn(tier, onTier));
            } catch (PgVaultException e) {
                unreadable = Optional.of("tier " + tier.name() + " (" + tier.repository().id()
                        + ") cannot be listed: " + e.getMessage());
                lost = lost(tier, missing(tier, primarySets, List.of()), Set.of());
            }
            health.add(new TierHealth(tier.name(), tier.repository().id(), tier.required(), missing, newest,
                    state.lastSuccess(), state.lastFailure(), unreadable, lost));
        }
        return health;
    }

    /**
     * The rule the primary's prune adds for its tiers: a set that a tier's filter selects (and its retention would
     * keep) but the tier does not hold yet is kept, with the reason, for at most the tier's
     * {@link Tier#maxCopyWait()} after it finished. A tier that cannot be listed is taken to hold nothing. The
     * primary and every tier are listed once, now; the returned snapshot both plans and records losses.
     *
     * @return a policy keeping the sets awaiting a copy (keeps nothing without tiers)
     * @since 0.3.0
     */
    public AwaitingCopy awaitingCopy() {
        return new AwaitingCopy(awaited());
    }

    /**
     * What the tiers awaited when {@link #awaitingCopy()} listed them: a retention rule, and the losses to record when
     * a plan deletes such a set anyway.
     *
     * @since 0.3.0
     */
    public final class AwaitingCopy implements RetentionPolicy {
        private final Map<BackupId, List<Tier>> awaited;

        private AwaitingCopy(Map<BackupId, List<Tier>> awaited) {
            this.awaited = awaited;
        }

        @Override
        public List<Keep> keeps(List<BackupSet> candidates, Instant now) {
            List<Keep> keeps = new ArrayList<>();
            for (BackupSet s : candidates) {
                List<String> waiting = awaited.getOrDefault(s.id(), List.of()).stream()
                        .filter(t -> !overdue(s, t, now)).map(Tier::name).toList();
                if (!waiting.isEmpty()) {
                    keeps.add(new Keep(s.id(), "awaiting copy to tier " + String.join(", tier ", waiting)));
                }
            }
            return keeps;
        }

        @Override
        public String describe() {
            return "sets awaiting a tier copy";
        }

        /**
         * Records, before the primary deletes them, the sets of {@code plan} that a tier should have received but
         * never did: a notice in the primary ({@code notices/tier-lost/<tier>/<id>.json}), an error in the log and a
         * {@link Events.TierCopyAbandoned} event. {@link Tiering#health()} reports them as lost from then on.
         *
         * @param plan the primary's plan about to be executed
         * @return the tier names per set that will never reach them
         */
        public Map<BackupId, List<String>> recordLosses(RetentionPlan plan) {
            Map<BackupId, List<String>> lost = new LinkedHashMap<>();
            for (RetentionDecision d : plan.deleted()) {
                for (Tier tier : awaited.getOrDefault(d.id(), List.of())) {
                    String why = "set " + d.id() + " was never copied to tier " + tier.name() + " within its "
                            + "maxCopyWait (" + tier.maxCopyWait() + ") and the primary's retention deletes it now";
                    primary.repository().put(lossKey(tier, d.id()), out -> out.write(
                            (why + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    LOG.error("tier {} ({}): {}", tier.name(), tier.required() ? "required" : "optional", why);
                    listener.on(new Events.TierCopyAbandoned(clock.instant(), tier.name(), d.id(), tier.required(),
                            why));
                    lost.computeIfAbsent(d.id(), k -> new ArrayList<>()).add(tier.name());
                }
            }
            return lost;
        }
    }

    private static String lossKey(Tier tier, BackupId id) {
        return RepositoryLayout.NOTICES + "tier-lost/" + tier.name() + "/" + id.value() + ".json";
    }

    private boolean overdue(BackupSet s, Tier tier, Instant now) {
        return s.finishedAt().plus(tier.maxCopyWait()).isBefore(now);
    }

    /** Per primary set, the tiers that want it and do not hold it. */
    private Map<BackupId, List<Tier>> awaited() {
        Map<BackupId, List<Tier>> awaited = new HashMap<>();
        if (tiers.isEmpty()) {
            return awaited;
        }
        Map<BackupId, BackupSet> primarySets = new HashMap<>();
        primaryComplete().forEach(s -> primarySets.put(s.id(), s));
        for (Tier tier : tiers) {
            List<BackupSet> onTier;
            try {
                onTier = listScoped(catalogOf(tier));
            } catch (PgVaultException e) {
                onTier = List.of(); // down: it holds nothing we can count on
            }
            for (BackupSet s : missing(tier, primarySets, onTier)) {
                awaited.computeIfAbsent(s.id(), k -> new ArrayList<>()).add(tier);
            }
        }
        return awaited;
    }

    /** Sets the tier will never get: losses noticed in the primary, and sets waiting longer than allowed. */
    private List<BackupId> lost(Tier tier, List<BackupSet> missing, Set<BackupId> onTier) {
        Set<BackupId> lost = new java.util.TreeSet<>();
        try {
            String prefix = RepositoryLayout.NOTICES + "tier-lost/" + tier.name() + "/";
            for (io.pgvault.spi.ObjectInfo info : primary.repository().list(prefix)) {
                String name = info.key().substring(prefix.length());
                if (name.endsWith(".json")) {
                    try {
                        BackupId id = BackupId.of(name.substring(0, name.length() - 5));
                        if (!onTier.contains(id)) {
                            lost.add(id);
                        }
                    } catch (ConfigurationException e) {
                        LOG.warn("ignoring notice {} in {}: not a set id", info.key(), primary.repository().id());
                    }
                }
            }
        } catch (PgVaultException e) {
            LOG.debug("notices of tier {} unreadable: {}", tier.name(), e.getMessage());
        }
        Instant now = clock.instant();
        missing.stream().filter(s -> overdue(s, tier, now)).map(BackupSet::id).forEach(lost::add);
        return List.copyOf(lost);
    }

    /** @return what exists where, from the catalogs of the primary and every tier */
    public PlacementReport placement() {
        Instant now = clock.instant();
        List<String> locations = new ArrayList<>();
        locations.add(Placement.PRIMARY);
        List<String> problems = new ArrayList<>();
        Map<BackupId, BackupSet> identity = new TreeMap<>();
        Map<BackupId, Map<String, Placement.Copy>> copies = new HashMap<>();
        Map<BackupId, List<String>> missingOn = new HashMap<>();
        Map<BackupId, BackupSet> primarySets = new HashMap<>();
        try {
            for (BackupSet s : listScoped(primary)) {
                identity.putIfAbsent(s.id(), s);
                copies.computeIfAbsent(s.id(), k -> new HashMap<>()).put(Placement.PRIMARY,
                        PlacementReport.copyOf(s, s.lastVerified()));
                if (s.status() == BackupStatus.COMPLETE) {
                    primarySets.put(s.id(), s);
                }
            }
            primary.scan().damaged().forEach(d -> problems.add(Placement.PRIMARY + " (" + primary.repository().id()
                    + "): damaged manifest " + d.key() + ", not listed: " + d.reason()));
        } catch (PgVaultException e) {
            problems.add(Placement.PRIMARY + " (" + primary.repository().id() + "): " + e.getMessage());
        }
        for (Tier tier : tiers) {
            locations.add(tier.name());
            try {
                List<BackupSet> onTier = listScoped(catalogOf(tier));
                for (BackupSet s : onTier) {
                    identity.putIfAbsent(s.id(), s);
                    Optional<Instant> verified = s.attribute(TierCopier.VERIFIED_AT).map(Instant::parse);
                    copies.computeIfAbsent(s.id(), k -> new HashMap<>()).put(tier.name(),
                            PlacementReport.copyOf(s, verified));
                }
                for (BackupSet s : missing(tier, primarySets, onTier)) {
                    missingOn.computeIfAbsent(s.id(), k -> new ArrayList<>()).add(tier.name());
                }
            } catch (PgVaultException e) {
                problems.add(tier.name() + " (" + tier.repository().id() + "): " + e.getMessage());
            }
        }
        List<Placement> sets = identity.values().stream()
                .sorted(java.util.Comparator.comparing(BackupSet::startedAt).thenComparing(BackupSet::id))
                .map(s -> new Placement(s.id(), s.type(), s.source(), s.startedAt(), copies.get(s.id()),
                        missingOn.getOrDefault(s.id(), List.of())))
                .toList();
        return new PlacementReport(now, locations, sets, problems);
    }

    /** The policy of a tier without retention: every copy stays. */
    private static final RetentionPolicy KEEP_ALL = new RetentionPolicy() {
        @Override
        public List<Keep> keeps(List<BackupSet> candidates, Instant now) {
            return candidates.stream().map(s -> new Keep(s.id(), "the tier has no retention")).toList();
        }

        @Override
        public String describe() {
            return "keep all (no tier retention)";
        }
    };

    /** @return whether a set some base of which, as listed, is not authenticated */
    private static boolean standsOnUnproven(BackupSet set, Map<BackupId, BackupSet> sets) {
        BackupSet cur = set;
        for (int steps = 0; steps < sets.size() && cur.dependsOn().isPresent(); steps++) {
            cur = sets.get(cur.dependsOn().get());
            if (cur == null) {
                return false;
            }
            if (!cur.authenticity().proven()) {
                return true;
            }
        }
        return false;
    }

    private List<BackupSet> primaryComplete() {
        return listScoped(primary).stream().filter(s -> s.status() == BackupStatus.COMPLETE).toList();
    }

    private List<BackupSet> listScoped(Catalog catalog) {
        try {
            return catalog.list().stream().filter(scope).toList();
        } catch (PgVaultException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RepositoryException("cannot list " + catalog.repository().id() + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return "Tiering[" + primary.repository().id() + " -> " + tiers.stream().map(Tier::name).toList() + "]";
    }

    /** Last success and failure of one tier in this process. */
    private static final class TierState {
        /** Serializes passes (sync, prune) over the tier; the fields below have their own monitor. */
        final Object passLock = new Object();
        /** The tier's own pipeline, when it re-encodes: one per tier and process, so set keys are made ahead. */
        final Optional<Pipeline> pipeline;
        private Instant lastSuccess;
        private TierFailure lastFailure;

        TierState(Optional<Pipeline> pipeline) {
            this.pipeline = pipeline;
        }

        synchronized void succeeded(Instant at) {
            lastSuccess = at;
        }

        synchronized void failed(TierFailure failure) {
            lastFailure = failure;
        }

        synchronized Optional<Instant> lastSuccess() {
            return Optional.ofNullable(lastSuccess);
        }

        synchronized Optional<TierFailure> lastFailure() {
            return Optional.ofNullable(lastFailure);
        }
    }
}
