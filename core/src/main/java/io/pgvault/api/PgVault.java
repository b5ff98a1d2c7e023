package io.pgvault.api;

import io.pgvault.internal.DefaultBackupContext;
import io.pgvault.internal.DefaultReadContext;
import io.pgvault.internal.Lease;
import io.pgvault.internal.ReadClaim;
import io.pgvault.internal.ScratchDirectory;
import io.pgvault.api.event.EventDispatcher;
import io.pgvault.api.event.Events;
import io.pgvault.api.event.VaultListener;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.PruneReport;
import io.pgvault.api.retention.Pruner;
import io.pgvault.api.retention.RetentionPlan;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.api.tier.BackupResult;
import io.pgvault.api.tier.PlacementReport;
import io.pgvault.api.tier.SyncReport;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierCopyException;
import io.pgvault.api.tier.TierHealth;
import io.pgvault.api.tier.Tiering;
import io.pgvault.internal.pipeline.Pipeline;
import io.pgvault.spi.BackupStrategy;
import io.pgvault.spi.Repository;
import io.pgvault.spi.process.ProcessRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a host application calls: back up, list, verify and restore with one strategy and one repository, plus any
 * number of {@link Tier tiers} that receive verified copies of committed sets (3-2-1; see {@link Tiering}).
 * Immutable and thread-safe once built.
 *
 * <pre>{@code
 * PgVault vault = PgVault.builder()
 *         .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(conn).build()))
 *         .repository(LocalRepository.at(Path.of("/var/backups/pg")))
 *         .pipeline(PipelineOptions.defaults().withEncryption(Encryption.passphrase(passphrase)))
 *         .build();
 * BackupSet set = vault.backup();
 * vault.verify(set.id(), true);
 * vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("app_copy").build());
 * }</pre>
 *
 * @since 0.1.0
 */
public final class PgVault {
    private static final Logger LOG = LoggerFactory.getLogger(PgVault.class);

    private final BackupStrategy strategy;
    private final Repository repository;
    private final Catalog catalog;
    private final Pipeline pipeline;
    private final ProcessRunner processes;
    private final Clock clock;
    private final Path scratchBase;
    private final EventDispatcher events;
    private final PipelineOptions pipelineOptions;
    private final Tiering tiering;
    private final Leases leases;
    private final Duration debrisGrace;
    private final boolean acceptUnauthenticated;

    private PgVault(Builder b) {
        this.debrisGrace = b.debrisGrace;
        this.strategy = b.strategy;
        this.repository = b.repository;
        this.leases = b.leases;
        this.catalog = new Catalog(b.repository, b.leases, b.pipeline);
        this.acceptUnauthenticated = b.acceptUnauthenticated;
        if (!catalog.signs() && !b.acceptUnauthenticated) {
            LOG.warn("{}: no integrity key and no encryption configured: new sets are written unauthenticated, and "
                    + "restoring them needs RestoreRequest.allowUnauthenticated (see ADR 0013)", b.repository.id());
        }
        this.pipeline = new Pipeline(b.pipeline);
        this.processes = b.processes;
        this.clock = b.clock;
        this.scratchBase = b.scratchDirectory;
        this.events = EventDispatcher.of(b.listeners);
        this.pipelineOptions = b.pipeline;
        String strategyName = b.strategy.name();
        this.tiering = Tiering.of(b.repository, b.pipeline, b.tiers, b.clock, events)
                .withLeases(b.leases).withDebrisGrace(b.debrisGrace).withScope(s -> s.strategy().equals(strategyName))
                .acceptingUnauthenticated(b.acceptUnauthenticated);
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Takes one backup. The set is listed only once every object is durable and its manifest is written; when
     * anything fails, the objects written so far are removed and the failure is thrown. With tiers, the committed set
     * is then copied to them as {@link #backupAndCopy()} describes; a failed optional tier is reported through events,
     * the log and {@link #tierHealth()} (use {@link #backupAndCopy()} to get the tiers' reports).
     *
     * @return the committed set
     * @throws TierCopyException when a required tier failed; the set is committed on the primary all the same
     */
    public BackupSet backup() {
        return backupAndCopy().set();
    }

    /**
     * Takes one backup and brings every tier up to date: after the set commits on the primary, each tier whose filter
     * selects it receives a copy, verified by hash, its manifest written last; anything else a tier is missing is
     * copied too (see {@link Tiering#afterBackup}). A failed tier never undoes the primary set.
     *
     * @return the committed set and one report per tier
     * @throws TierCopyException when a required tier failed; the set is committed on the primary all the same, and
     *                           the exception carries the result
     * @since 0.2.0
     */
    public BackupResult backupAndCopy() {
        try {
            BackupSet set = backupPrimary();
            if (tiering.tiers().isEmpty()) {
                return new BackupResult(set, List.of());
            }
            BackupResult result = tiering.afterBackup(set);
            if (!result.failedRequiredTiers().isEmpty()) {
                throw new TierCopyException(result);
            }
            return result;
        } finally {
            // with a passphrase, the next set's key is made now, between backups, not during the next one
            pipeline.prepareSetKey(clock.instant());
        }
    }

    private BackupSet backupPrimary() {
        catalog.checkCanSign(); // a damaged key salt fails now, not after the whole dump
        Lease lease = claimNewSet();
        BackupId id = lease.id();
        try (lease; ScratchDirectory scratch = new ScratchDirectory(scratchBase)) {
            DefaultBackupContext context = new DefaultBackupContext(id, clock, repository, pipeline, processes,
                    scratch, events, lease::check);
            LOG.info("backup {} started: strategy {}, repository {}", id, strategy.name(), repository.id());
            events.on(new Events.BackupStarted(clock.instant(), repository.id(), id, strategy.name()));
            BackupSet set;
            try {
                io.pgvault.spi.SetFacts facts = java.util.Objects.requireNonNull(strategy.backup(context),
                        () -> "strategy " + strategy.name() + " returned no facts for backup " + id);
                context.seal();
                Instant finished = clock.instant();
                if (finished.isBefore(context.startedAt())) { // the clock stepped back during the backup (NTP)
                    LOG.warn("backup {}: the clock stepped back by {} while it ran; recording it as finished at its "
                            + "start", id, Duration.between(finished, context.startedAt()));
                    finished = context.startedAt();
                }
                set = new BackupSet(id, strategy.name(), facts.type(), facts.status(), facts.source(),
                        context.startedAt(), finished, facts.dependsOn(), context.written(), facts.attributes(),
                        Optional.empty());
                catalog.commit(set, lease::confirm, lease::held, lease.createdAt());
                set = set.withAuthenticity(catalog.signs() ? Authenticity.AUTHENTICATED : Authenticity.UNSIGNED);
            } catch (RuntimeException | Error e) {
                discard(id, e);
                events.on(new Events.BackupFailed(clock.instant(), repository.id(), id, strategy.name(), e));
                throw e;
            }
            LOG.info("backup {} committed: {} object(s), {} bytes stored ({} logical) in {}", id,
                    set.objects().size(), set.storedBytes(), set.logicalBytes(), set.duration());
            events.on(new Events.BackupCompleted(clock.instant(), repository.id(), set));
            return set;
        }
    }

    /**
     * A clock ahead of the store's would only fail at commit, after the whole dump: say so before writing anything.
     * A clock behind is logged (its sets sort as older than they are).
     */
    private void refuseSkew(Lease lease, BackupId id) {
        Optional<Instant> store = lease.storeTime();
        Instant local = clock.instant();
        if (store.isEmpty()) {
            return;
        }
        Duration skew = Duration.between(store.get(), local);
        if (skew.compareTo(Catalog.SKEW_TOLERANCE) > 0) {
            lease.close();
            throw new IntegrityException("refusing backup " + id + ": this host's clock (" + local + ") is "
                    + skew.toSeconds() + " s ahead of " + repository.id() + "'s (" + store.get() + "), more than "
                    + Catalog.SKEW_TOLERANCE + ": clock skew; fix the clock (NTP) and back up again");
        }
        if (skew.negated().compareTo(Catalog.SKEW_TOLERANCE) > 0) {
            LOG.warn("clock skew: this host's clock ({}) is {} s behind {}'s ({}); backup {} will sort as older "
                    + "than it is", local, skew.negated().toSeconds(), repository.id(), store.get(), id);
        }
    }

    /** A fresh id whose claim this process holds: an id in use (claimed or committed) is never reused. */
    private Lease claimNewSet() {
        for (int attempt = 0; attempt < 8; attempt++) {
            BackupId id = BackupId.generate(clock.instant());
            if (repository.stat(Catalog.manifestKey(id)).isPresent()) {
                continue;
            }
            Optional<Lease> lease = Lease.tryAcquire(repository, id, "backup", leases);
            if (lease.isPresent() && repository.stat(Catalog.manifestKey(id)).isPresent()) {
                lease.get().close(); // committed by another writer just before our claim: never reuse an id
                continue;
            }
            if (lease.isPresent()) {
                refuseSkew(lease.get(), id);
                return lease.get();
            }
        }
        throw new ConflictException("could not claim a fresh backup id in " + repository.id()
                + " after 8 attempts (every generated id was in use)");
    }

    /** @return this strategy's committed sets in the repository, oldest first */
    public List<BackupSet> list() {
        return catalog.list().stream().filter(s -> s.strategy().equals(strategy.name())).toList();
    }

    /**
     * @param id a set
     * @return the set, if it exists
     */
    public Optional<BackupSet> find(BackupId id) {
        return catalog.find(id);
    }

    /**
     * @return the newest complete set, if any; a set dated in the future of the vault's clock (a clock ahead, a forged
     *         manifest: see {@link Catalog#datedInFuture}) is never the newest, and for a vault that signs and does
     *         not accept unauthenticated sets, neither is a set that is not proven authentic (a planted manifest
     *         cannot hide the real newest set from a restore or a drill)
     */
    public Optional<BackupSet> latest() {
        Instant now = clock.instant();
        boolean provenOnly = catalog.signs() && !acceptUnauthenticated;
        return list().stream().filter(s -> s.status() == BackupStatus.COMPLETE)
                .filter(s -> !Catalog.datedInFuture(s, now))
                .filter(s -> !provenOnly || s.authenticity().proven())
                .max(Comparator.comparing(BackupSet::startedAt).thenComparing(BackupSet::id));
    }

    /**
     * Verifies a set: the size and SHA-256 of every stored object, and with {@code deep} also its structure
     * (decrypt, decompress, parse with the dump tools). A deep verification that passes is recorded as the set's
     * {@code lastVerified}. While it reads, the set is claimed as a restore claims it, so that a prune in another
     * process does not delete it under the verification (which would report its objects missing).
     *
     * @param id   the set
     * @param deep whether to decode and parse, not only checksum
     * @return every problem found
     */
    public VerifyResult verify(BackupId id, boolean deep) {
        BackupSet set = require(id);
        Instant start = clock.instant();
        List<String> problems = new ArrayList<>();
        if (set.authenticity() == Authenticity.MISMATCH) {
            problems.add("the manifest of " + id + " fails authentication: altered after it was written, or signed"
                    + " with another key; its digests prove nothing");
        }
        Instant end;
        try (ReadClaim claim = claimForReading(set, "verify");
                ScratchDirectory scratch = new ScratchDirectory(scratchBase);
                DefaultReadContext context = new DefaultReadContext(repository, pipeline, processes, scratch)) {
            if (deep) {
                context.prefetchKeys(set); // the derivation overlaps the checksum pass
            }
            for (StoredObject object : set.objects()) {
                try {
                    context.verifyStored(object);
                } catch (IntegrityException | NotFoundException e) {
                    problems.add(e.getMessage());
                }
            }
            if (deep && problems.isEmpty()) {
                try {
                    problems.addAll(strategy.verifyStructure(set, context));
                } catch (IntegrityException | ToolException e) {
                    problems.add(e.getMessage());
                }
            }
            end = clock.instant();
            if (problems.isEmpty() && deep) { // still under the claim: a prune cannot slip in before the record
                try {
                    catalog.recordVerified(id, end);
                } catch (NotFoundException e) { // deleted by hand while it was verified: nothing to record it on
                    LOG.info("backup {} was removed while it was verified; the result is not recorded", id);
                }
            }
        }
        if (!problems.isEmpty()) {
            LOG.warn("backup {} failed verification: {}", id, problems);
        }
        VerifyResult result = new VerifyResult(set, deep, problems, Duration.between(start, end));
        events.on(new Events.Verified(end, repository.id(), result));
        return result;
    }

    /**
     * Restores a set. With {@link RestoreRequest#verifyFirst()} (the default) every stored checksum is checked
     * before the target is touched; a damaged set is refused with {@link IntegrityException}. An authenticated set
     * whose objects are age-encrypted with pinned headers is read once instead: each chunk is authenticated as it
     * streams (ADR 0013). A set that is not proven authentic is refused unless the request or the vault opts in.
     * Before anything is read, the repository is handed every key of the set ({@link Repository#prepareRead}): an S3
     * repository configured with {@code archiveRetrieval} brings objects back from Glacier there, and waits. From
     * then until it ends the restore claims the set (a record under {@code records/<id>/}, refreshed every
     * {@link Leases#refreshEvery()}): a prune in another process keeps a set being read; with credentials that cannot
     * write the record the restore goes on without the claim, and says so in the log.
     *
     * @param request what and where
     * @return what was restored
     */
    public RestoreResult restore(RestoreRequest request) {
        BackupSet set = checkRestore(request); // before the claim, the archive retrieval and the checksum pass
        try (ReadClaim claim = claimForReading(set, "restore")) {
            prepareRead(set);
            return restore(set, request);
        }
    }

    private RestoreResult restore(BackupSet set, RestoreRequest request) {
        try (ScratchDirectory scratch = new ScratchDirectory(scratchBase);
                DefaultReadContext context = new DefaultReadContext(repository, pipeline, processes, scratch)) {
            context.prefetchKeys(set); // the derivation overlaps the checksum pass and the target's preparation
            if (request.verifyFirst() && !streamsAuthenticated(set)) {
                set.objects().forEach(context::verifyStored);
            }
            LOG.info("restore of {} started", set.id());
            RestoreResult result;
            try {
                result = strategy.restore(set, request, context);
            } catch (RuntimeException | Error e) {
                events.on(new Events.RestoreFailed(clock.instant(), repository.id(), set.id(), e));
                throw e;
            }
            LOG.info("restore of {} finished in {}: {}", set.id(), result.duration(), result.databases());
            events.on(new Events.RestoreCompleted(clock.instant(), repository.id(), result));
            return result;
        }
    }

    /**
     * Claims the set for the time it is read, so that a prune in another process stands back from it (hours, when
     * the objects come back from Glacier first); a repository that takes no record is read without a claim.
     */
    private ReadClaim claimForReading(BackupSet set, String operation) {
        try {
            return ReadClaim.acquire(repository, set.id(), operation, leases);
        } catch (RuntimeException | Error e) {
            if (operation.equals("restore")) {
                events.on(new Events.RestoreFailed(clock.instant(), repository.id(), set.id(), e));
            }
            throw e;
        }
    }

    /**
     * Checks a restore without reading anything of the set, as {@link #restore} does first: the set the request names
     * (or the newest) exists, is complete and authenticated (unless the request or the vault opts in), and the
     * strategy accepts the request and the target ({@link BackupStrategy#preflight}: for pg_dump, the target answers,
     * can load the set, and its names are free unless {@code dropExisting}). Changes nothing on the target or in the
     * repository; a refusal for authenticity or by the strategy is reported as a {@code RestoreFailed} event, as
     * {@link #restore} reports it.
     *
     * @param request what and where
     * @return the set the request names
     * @throws PgVaultException what {@link #restore} would throw for the same reason
     * @since 0.6.0
     */
    public BackupSet checkRestore(RestoreRequest request) {
        BackupSet set = request.backupId().map(this::require)
                .orElseGet(() -> latest().orElseThrow(this::noLatest));
        if (set.status() != BackupStatus.COMPLETE) {
            throw new IntegrityException("backup set " + set.id() + " is " + set.status() + " and cannot be restored");
        }
        if (!set.authenticity().proven() && !request.allowUnauthenticated() && !acceptUnauthenticated) {
            UnauthenticatedSetException e = new UnauthenticatedSetException(set, repository.id(), "restored");
            events.on(new Events.RestoreFailed(clock.instant(), repository.id(), set.id(), e));
            throw e;
        }
        preflight(set, request);
        return set;
    }

    /** Lets the strategy refuse, from the manifest and the target alone, a restore that could not succeed. */
    private void preflight(BackupSet set, RestoreRequest request) {
        try {
            strategy.preflight(set, request, processes);
        } catch (RuntimeException | Error e) {
            events.on(new Events.RestoreFailed(clock.instant(), repository.id(), set.id(), e));
            throw e;
        }
    }

    /** Lets the repository make the set's objects readable before the first is opened (Glacier: hours). */
    private void prepareRead(BackupSet set) {
        try {
            repository.prepareRead(set.objects().stream().map(StoredObject::key).toList());
        } catch (RuntimeException | Error e) {
            events.on(new Events.RestoreFailed(clock.instant(), repository.id(), set.id(), e));
            throw e;
        }
    }

    /** Why there is no newest set to restore; names the sets that are there but not authenticated. */
    private NotFoundException noLatest() {
        List<BackupSet> unproven = list().stream().filter(s -> s.status() == BackupStatus.COMPLETE)
                .filter(s -> !s.authenticity().proven()).toList();
        if (unproven.isEmpty()) {
            return new NotFoundException("no backup set of strategy " + strategy.name() + " in " + repository.id());
        }
        BackupSet newest = unproven.get(unproven.size() - 1);
        return new NotFoundException("no authenticated backup set of strategy " + strategy.name() + " in "
                + repository.id() + "; " + unproven.size() + " set(s) are not authenticated (written before 0.4.0, "
                + "without a key, or with another one), the newest " + newest.id() + " (" + newest.authenticity()
                + "): restore one by backupId with allowUnauthenticated(true) if nobody else can write the repository");
    }

    /**
     * Whether every byte a restore decrypts is proven as it streams: the manifest is authenticated, and every object
     * is age-encrypted with its header pinned in the manifest. The header fixes the file key, which only the key
     * holder can know, and age authenticates each 64 KiB chunk under it; a replaced object fails at its header,
     * before anything is decrypted. Such a set is read once; any other is checked whole first ({@code verifyFirst}).
     */
    static boolean streamsAuthenticated(BackupSet set) {
        return set.authenticity().proven() && !set.objects().isEmpty() && set.objects().stream().allMatch(o ->
                !"none".equals(o.encryption()) && !o.attribute(io.pgvault.internal.pipeline.Encoded.AGE_HEADER_ATTRIBUTE).isEmpty());
    }

    /**
     * Rotates the passphrase of passphrase sets in place, without re-encrypting any object: each set's key file is
     * re-wrapped from {@code previousPassphrase} to the vault's configured passphrase (ADR 0003). Needs a separate
     * integrity key ({@link PipelineOptions#withIntegrityKey}), else manifests would stop verifying; pause backups and
     * pruning while it runs. Byte-for-byte tiers hold their own copies of the key files: run it on each
     * ({@link #onTier(String)}).
     *
     * @param previousPassphrase the passphrase the sets' key files open with now
     * @return which sets were re-wrapped, which already were, which predate set keys, and which failed (left as
     *         they were)
     * @throws ConfigurationException when the vault has no passphrase or no integrity key
     * @since 0.5.0
     */
    public KeyRotation rewrapSetKeys(Secret previousPassphrase) {
        return new SetKeyRotation(catalog, repository, pipelineOptions, previousPassphrase, clock).run();
    }

    /**
     * Plans retention over this strategy's sets at the vault's clock time; deletes nothing. With tiers, a set that a
     * tier should receive and does not hold yet is kept too ("awaiting copy to tier ..."), for at most the tier's
     * {@link Tier#maxCopyWait()} (see {@link Tiering#awaitingCopy()}).
     *
     * @param policy the rules
     * @return one decision per set, with reasons
     * @since 0.1.0
     */
    public RetentionPlan planRetention(RetentionPolicy policy) {
        return plan(policy, awaitingCopy());
    }

    private RetentionPlan plan(RetentionPolicy policy, Tiering.AwaitingCopy awaiting) {
        RetentionPolicy p = awaiting == null ? policy : policy.or(awaiting);
        // a vault that signs counts and deletes only what it can authenticate (ADR 0013): planted manifests can
        // neither push real sets out of the policy's slots nor be deleted in their place by a wrong key
        if (!catalog.signs() || acceptUnauthenticated) {
            return RetentionPlan.of(p, list(), clock.instant());
        }
        List<BackupSet> sets = list();
        List<BackupId> unproven = sets.stream().filter(s -> !s.authenticity().proven()).map(BackupSet::id).toList();
        if (!unproven.isEmpty()) {
            LOG.warn("retention of {} leaves {} set(s) that are not authenticated, neither counting nor deleting them"
                    + " (planted, written with another key, or before 0.4.0; runbook unauthenticated-sets.md): {}",
                    repository.id(), unproven.size(), unproven.size() > 10 ? unproven.subList(0, 10) + " ..."
                            : unproven);
        }
        return RetentionPlan.ofAuthenticated(p, sets, clock.instant());
    }

    /** @return the tiers' rule, listing the primary and every tier once; null without tiers */
    private Tiering.AwaitingCopy awaitingCopy() {
        return tiering.tiers().isEmpty() ? null : tiering.awaitingCopy();
    }

    /**
     * Plans retention and executes the plan with {@link Pruner} (debris older than the vault's debris grace, by the
     * repository's clock, is removed too).
     * A set deleted although a tier never received it (it waited past {@link Tier#maxCopyWait()}) is reported first:
     * an error in the log, a {@link Events.TierCopyAbandoned} event, and a notice that {@link #tierHealth()} reports.
     *
     * @param policy the rules
     * @param mode   {@code DRY_RUN} to only report, {@code EXECUTE} to remove
     * @return what was (or would be) removed
     * @since 0.1.0
     */
    public PruneReport prune(RetentionPolicy policy,
            PruneMode mode) {
        Tiering.AwaitingCopy awaiting = awaitingCopy();
        return execute(plan(policy, awaiting), mode, awaiting);
    }

    /**
     * Executes a plan made earlier with {@link #planRetention} (for example one an operator read as a dry run). The
     * catalog is listed again first: a set the plan deletes is left alone when it is gone, pinned since, or the base
     * of a set that appeared since (see {@link Pruner}). Sets a tier never received are reported as {@link #prune}
     * says; debris older than the vault's debris grace is removed.
     *
     * @param plan the plan
     * @param mode {@code DRY_RUN} to only report, {@code EXECUTE} to remove
     * @return what was (or would be) removed
     * @since 0.3.0
     */
    public PruneReport prune(RetentionPlan plan, PruneMode mode) {
        return execute(plan, mode, awaitingCopy());
    }

    private PruneReport execute(RetentionPlan plan, PruneMode mode, Tiering.AwaitingCopy awaiting) {
        if (catalog.signs() && !acceptUnauthenticated) { // a plan that counted planted sets would delete real ones
            List<BackupId> counted = plan.decisions().stream().filter(d -> !d.set().authenticity().proven())
                    .filter(d -> d.reasons().stream().noneMatch(r -> r.startsWith(RetentionPlan.UNAUTHENTICATED)))
                    .map(io.pgvault.api.retention.RetentionDecision::id).toList();
            if (!counted.isEmpty()) {
                throw new ConfigurationException("the plan counts " + counted.size() + " set(s) that are not "
                        + "authenticated (" + (counted.size() > 5 ? counted.subList(0, 5) + " ..." : counted) + "): a "
                        + "vault that signs executes plans made by planRetention (RetentionPlan.ofAuthenticated), or "
                        + "use a vault that accepts unauthenticated sets (runbook unauthenticated-sets.md)");
            }
        }
        if (mode == PruneMode.EXECUTE) {
            Instant store = io.pgvault.internal.RepositoryClock.now(repository);
            Duration ahead = Duration.between(store, clock.instant());
            if (ahead.compareTo(Catalog.SKEW_TOLERANCE) > 0) {
                // pins "until", keep-within windows and tier waits would all be judged hours early
                throw new IntegrityException("refusing to prune " + repository.id() + ": this host's clock ("
                        + clock.instant() + ") is " + ahead.toSeconds() + " s ahead of the repository's (" + store
                        + "), more than " + Catalog.SKEW_TOLERANCE + ": clock skew; fix the clock (NTP)");
            }
        }
        if (awaiting != null) {
            plan = keepAwaited(plan, awaiting);
            if (mode == PruneMode.EXECUTE) {
                awaiting.recordLosses(plan);
            }
        }
        PruneReport report = Pruner.of(catalog).withDebrisGrace(debrisGrace).prune(plan, mode);
        events.on(new Events.Pruned(clock.instant(), repository.id(), report));
        return report;
    }

    /** A plan made earlier (or without the tiers' rule) keeps, now, what a tier still awaits. */
    private static RetentionPlan keepAwaited(RetentionPlan plan, Tiering.AwaitingCopy awaiting) {
        Map<BackupId, String> awaited = new java.util.HashMap<>();
        List<BackupSet> candidates = plan.deleted().stream().map(io.pgvault.api.retention.RetentionDecision::set)
                .toList();
        awaiting.keeps(candidates, plan.now()).forEach(k -> awaited.put(k.id(), k.reason()));
        return plan.keeping(awaited); // with the bases each stands on (the plan refuses anything else)
    }

    /**
     * Copies whatever each tier is missing; an interrupted copy resumes (objects already verified on a tier are not
     * sent again) and a half-copied set is never listed on a tier.
     *
     * @return one report per tier; failed copies are reported, not thrown
     * @since 0.2.0
     */
    public SyncReport sync() {
        return tiering.sync();
    }

    /**
     * Applies each tier's own retention to its catalog, independently of the primary's ({@link #prune}); a tier
     * without retention keeps every set and only loses debris (see {@link Tiering#prune}).
     *
     * @param mode {@code DRY_RUN} to only report, {@code EXECUTE} to remove
     * @return per tier name, what was (or would be) removed
     * @since 0.2.0
     */
    public Map<String, PruneReport> pruneTiers(PruneMode mode) {
        return tiering.prune(mode);
    }

    /**
     * @return what exists where: per set, which locations hold it, sizes and when each copy was verified
     * @since 0.2.0
     */
    public PlacementReport placement() {
        return tiering.placement();
    }

    /**
     * @return each tier's missing sets and last failure, for health checks
     * @since 0.2.0
     */
    public List<TierHealth> tierHealth() {
        return tiering.health();
    }

    /**
     * @return the tiers, in declaration order (empty without tiers)
     * @since 0.2.0
     */
    public List<Tier> tiers() {
        return tiering.tiers();
    }

    /**
     * @return the tiering engine of this vault
     * @since 0.2.0
     */
    public Tiering tiering() {
        return tiering;
    }

    /**
     * A vault on one tier alone: same strategy, tools, clock and listeners; the tier's repository as its only
     * repository; the tier's pipeline (or this vault's, for byte-for-byte tiers) for keys. List, verify and restore
     * through it read nothing from the primary.
     *
     * @param tierName a tier's name
     * @return a vault whose repository is that tier
     * @throws NotFoundException when there is no such tier
     * @since 0.2.0
     */
    public PgVault onTier(String tierName) {
        Tier tier = tiering.tier(tierName);
        return builder().strategy(strategy).repository(tier.repository())
                .pipeline(tier.pipeline().orElse(pipelineOptions)).processes(processes).clock(clock)
                .scratchDirectory(scratchBase).listener(events).leases(leases).debrisGrace(debrisGrace)
                .acceptUnauthenticated(acceptUnauthenticated).build();
    }

    /**
     * Restores from one tier alone, as {@link #restore} does from the primary.
     *
     * @param tierName a tier's name
     * @param request  what and where
     * @return what was restored
     * @since 0.2.0
     */
    public RestoreResult restoreFrom(String tierName, RestoreRequest request) {
        return onTier(tierName).restore(request);
    }

    /** @return the catalog of the repository */
    public Catalog catalog() {
        return catalog;
    }

    /**
     * @return whether this vault restores, drills and copies sets whose manifest is not proven authentic
     * @since 0.4.0
     */
    public boolean acceptsUnauthenticated() {
        return acceptUnauthenticated;
    }

    /** @return the repository */
    public Repository repository() {
        return repository;
    }

    /** @return the listeners, as one dispatcher (for modules that emit events on this vault's behalf) */
    public EventDispatcher events() {
        return events;
    }

    /** @return the vault's clock */
    public Clock clock() {
        return clock;
    }

    /** @return the strategy */
    public BackupStrategy strategy() {
        return strategy;
    }

    private BackupSet require(BackupId id) {
        return catalog.find(id).orElseThrow(() -> new NotFoundException(
                "no backup set " + id + " in " + repository.id()));
    }

    private void discard(BackupId id, Throwable cause) {
        LOG.warn("backup {} failed; removing its objects: {}", id, cause.getMessage());
        try {
            catalog.delete(id);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
            LOG.warn("could not remove the objects of failed backup {} (debris for the next cleanup): {}", id,
                    e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "PgVault[" + strategy.name() + " -> " + repository.id()
                + (tiering.tiers().isEmpty() ? "" : " + tiers " + tiering.tiers().stream().map(Tier::name).toList())
                + "]";
    }

    /** Builds a {@link PgVault}; {@link #build()} reports every missing setting at once. */
    public static final class Builder {
        private BackupStrategy strategy;
        private Repository repository;
        private PipelineOptions pipeline = PipelineOptions.defaults();
        private ProcessRunner processes = ProcessRunner.local();
        private Clock clock = Clock.systemUTC();
        private Path scratchDirectory = Path.of(System.getProperty("java.io.tmpdir"));
        private final List<VaultListener> listeners = new ArrayList<>();
        private final List<Tier> tiers = new ArrayList<>();
        private Leases leases = Leases.defaults();
        private Duration debrisGrace = Duration.ofHours(1);
        private boolean acceptUnauthenticated;

        private Builder() {
        }

        /**
         * @param accept whether sets whose manifest is not proven authentic ({@link Authenticity}: written before
         *               0.4.0, by a vault without a key, or altered) may be restored, drilled and copied to tiers;
         *               default false. Manifests are authenticated with the pipeline's integrity key or encryption
         *               secret (ADR 0013); say true only for repositories nobody else can write.
         * @return this
         * @since 0.4.0
         */
        public Builder acceptUnauthenticated(boolean accept) {
            this.acceptUnauthenticated = accept;
            return this;
        }

        /**
         * @param grace how old objects of an abandoned set must be, by the repository's own clock, before a prune
         *              removes them (a live writer's objects are protected by its claim whatever their age); default
         *              one hour
         * @return this
         * @since 0.3.0
         */
        public Builder debrisGrace(Duration grace) {
            this.debrisGrace = grace;
            return this;
        }

        /**
         * @param leases how long a writer's claim on a set in progress lasts and how often it is refreshed; default
         *               {@link Leases#defaults()}
         * @return this
         * @since 0.3.0
         */
        public Builder leases(Leases leases) {
            this.leases = leases;
            return this;
        }

        /** @param strategy how to back up (required) @return this */
        public Builder strategy(BackupStrategy strategy) {
            this.strategy = strategy;
            return this;
        }

        /** @param repository where sets are stored (required) @return this */
        public Builder repository(Repository repository) {
            this.repository = repository;
            return this;
        }

        /** @param pipeline compression and encryption; default zstd level 3, no encryption @return this */
        public Builder pipeline(PipelineOptions pipeline) {
            this.pipeline = pipeline;
            return this;
        }

        /** @param processes how tools are started; default {@link ProcessRunner#local()} @return this */
        public Builder processes(ProcessRunner processes) {
            this.processes = processes;
            return this;
        }

        /** @param clock time source; default UTC system clock @return this */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @param dir where private scratch directories are made for formats that cannot stream; default
         *            {@code java.io.tmpdir}
         * @return this
         */
        public Builder scratchDirectory(Path dir) {
            this.scratchDirectory = dir;
            return this;
        }

        /**
         * @param listener told about backups, progress, verifications, restores and pruning (repeatable; called on
         *                 the working thread, exceptions logged and ignored)
         * @return this
         * @since 0.2.0
         */
        public Builder listener(VaultListener listener) {
            listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @param tier a tier that receives copies of committed sets (repeatable; names and repositories unique, none
         *             on the primary repository); default none
         * @return this
         * @since 0.2.0
         */
        public Builder tier(Tier tier) {
            tiers.add(tier);
            return this;
        }

        /** @return the configured vault */
        public PgVault build() {
            List<String> problems = new ArrayList<>();
            if (strategy == null) {
                problems.add("strategy is required");
            }
            if (repository == null) {
                problems.add("repository is required");
            }
            if (pipeline == null) {
                problems.add("pipeline must not be null");
            }
            if (processes == null) {
                problems.add("processes must not be null");
            }
            if (clock == null) {
                problems.add("clock must not be null");
            }
            if (scratchDirectory == null) {
                problems.add("scratchDirectory must not be null");
            }
            if (leases == null) {
                problems.add("leases must not be null");
            }
            if (debrisGrace == null || debrisGrace.isNegative()) {
                problems.add("debrisGrace must be zero or positive, was " + debrisGrace);
            }
            problems.addAll(Tiering.problems(repository, tiers));
            ConfigurationException.throwIfAny(problems);
            return new PgVault(this);
        }
    }
}
