package io.pgvault.operations.health;

import io.pgvault.api.Authenticity;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.Catalog;
import io.pgvault.api.PgVault;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.event.Events;
import io.pgvault.api.event.VaultEvent;
import io.pgvault.api.event.VaultListener;
import io.pgvault.api.tier.TierHealth;
import io.pgvault.backend.pgbackrest.PgBackRestBackup;
import io.pgvault.backend.pgbackrest.mirror.PgBackRestMirror;
import io.pgvault.operations.drill.DrillRecord;
import io.pgvault.operations.drill.RestoreDrill;
import io.pgvault.spi.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Health of backups per repository and tier: age of the newest good backup per source, the last backup failure,
 * when a set was last verified, last drilled and last restored and checked (only the last is proof that backups
 * restore; see {@link #restoreChecked}), tier copies that failed or are missing (the tiers of a watched vault,
 * from {@link PgVault#tierHealth()}), and WAL archiving. Register it as a listener
 * on every vault it should hear about, then tell it what to watch:
 *
 * <pre>{@code
 * BackupHealth health = BackupHealth.builder().backupAge("shop", Thresholds.of(Duration.ofHours(7), Duration.ofHours(8)))
 *         .build();
 * PgVault vault = PgVault.builder()...listener(health).build();
 * health.watch(vault).watchTier("drive", driveCatalog).watchArchive(archiveMonitor);
 * HealthReport report = health.check();   // report.toJson() for an HTTP endpoint
 * }</pre>
 *
 * <p>Failures are known from events, so only those since this object was created (the catalogs remember the
 * rest: ages and last-verified survive restarts). Catalog listings are cached for {@code listingTtl} and read again
 * at once after an event about their repository. Thread-safe.
 *
 * @since 0.2.0
 */
public final class BackupHealth implements VaultListener {
    private static final Logger LOG = LoggerFactory.getLogger(BackupHealth.class);

    private final Clock clock;
    private final Thresholds backupAge;
    private final Map<String, Thresholds> backupAgeBySource;
    private final Map<String, Thresholds> tierAge;
    private final Optional<Thresholds> drillAge;
    private final Duration listingTtl;
    private final Instant since;
    private final List<Watched> repositories = new CopyOnWriteArrayList<>();
    private final Map<String, Watched> tiers = new ConcurrentHashMap<>();
    private final List<ArchiveMonitor> archives = new CopyOnWriteArrayList<>();
    private final List<PgBackRestMirror> mirrors = new CopyOnWriteArrayList<>();
    private final List<PgVault> vaultsWithTiers = new CopyOnWriteArrayList<>();
    private final Map<String, Outcomes> outcomes = new ConcurrentHashMap<>();
    private final Map<String, Outcomes> tierOutcomes = new ConcurrentHashMap<>();
    private final Map<String, CheckedRestore> checkedRestores = new ConcurrentHashMap<>();

    private BackupHealth(Builder b) {
        this.clock = b.clock;
        this.backupAge = b.backupAge;
        this.backupAgeBySource = Map.copyOf(b.backupAgeBySource);
        this.tierAge = Map.copyOf(b.tierAge);
        this.drillAge = Optional.ofNullable(b.drillAge);
        this.listingTtl = b.listingTtl;
        this.since = clock.instant();
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Watches a vault's repository (its strategy's sets).
     *
     * @param vault the vault; register this object as its listener too, to hear about failures
     * @return this
     */
    public BackupHealth watch(PgVault vault) {
        if (!vault.tiers().isEmpty()) {
            vaultsWithTiers.add(vault);
        }
        Watched w = new Watched(vault.repository().id(), vault::list, vault.repository());
        w.authenticity = Optional.of(vault.acceptsUnauthenticated());
        repositories.add(w);
        return this;
    }

    /**
     * Watches any list of sets, e.g. {@code () -> pgbackrest.list(pgbackrest.config().repo(1))} for a pgBackRest
     * repository.
     *
     * @param location the repository's id as events name it
     * @param sets     reads the sets
     * @return this
     */
    public BackupHealth watch(String location, Supplier<List<BackupSet>> sets) {
        repositories.add(new Watched(location, sets, null));
        return this;
    }

    /**
     * Watches a tier: the age of its newest complete set (per the tier's thresholds) besides its copy failures,
     * which are reported for every tier named in events even when not watched.
     *
     * @param tier    the tier's name, as {@link Events.CopiedToTier#location()} names it
     * @param catalog the tier's catalog
     * @return this
     */
    public BackupHealth watchTier(String tier, Catalog catalog) {
        tiers.put(tier, new Watched(tier, catalog::list, null));
        return this;
    }

    /**
     * Watches a pgBackRest mirror (e.g. the month-end sets on Drive): holes in its PITR sets' WAL, sets the source
     * expired before they were mirrored ({@link PgBackRestMirror#coverageProblems()}), and sets flagged for page
     * checksum errors. Read from the mirror's records at each {@link #check()}.
     *
     * @param mirror the mirror
     * @return this
     * @since 0.2.0
     */
    public BackupHealth watchMirror(PgBackRestMirror mirror) {
        mirrors.add(Objects.requireNonNull(mirror, "mirror"));
        return this;
    }

    /**
     * Reports a restore whose result the host checked, e.g. a pgBackRest point-in-time restore whose started copy
     * answered a query proving the expected rows. With passing restore drills, these are what the
     * {@code restore-drill} check calls "last restored and checked" and ages; a restore that was not checked, or a
     * deep {@code verify()}, is not reported here. Kept in memory (the newest per location) until this object goes
     * away; drills survive restarts through their records.
     *
     * <pre>{@code
     * PhysicalRestoreResult r = pgbr.restore(request);       // startOnPort(..)
     * try (RunningCopy copy = r.copy().orElseThrow()) {
     *     String rows = copy.queryValue("app", "select count(*) from orders");
     *     if (rows.equals(expected)) {
     *         health.restoreChecked("pgbackrest:main", new CheckedRestore(set, clock.instant(), "orders = " + rows));
     *     }
     * }
     * }</pre>
     *
     * @param location the watched location, as given to {@link #watch(String, Supplier)} or a vault's repository id
     * @param restore  what was restored and how it was checked
     * @return this
     * @since 0.6.0
     */
    public BackupHealth restoreChecked(String location, CheckedRestore restore) {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(restore, "restore");
        checkedRestores.merge(location, restore, (a, b) -> b.at().isAfter(a.at()) ? b : a);
        return this;
    }

    /**
     * @param monitor a cluster's WAL-archive monitor
     * @return this
     */
    public BackupHealth watchArchive(ArchiveMonitor monitor) {
        archives.add(Objects.requireNonNull(monitor, "monitor"));
        return this;
    }

    /**
     * Records failures and successes; marks cached listings stale. Called by the vaults this object listens to.
     *
     * @param event what happened
     */
    @Override
    public void on(VaultEvent event) {
        if (event instanceof Events.BackupCompleted e) {
            outcomes.computeIfAbsent(e.location(), k -> new Outcomes()).success(e.at());
        } else if (event instanceof Events.BackupFailed e) {
            outcomes.computeIfAbsent(e.location(), k -> new Outcomes()).failure(e.at(), e.id().value(), e.error());
        } else if (event instanceof Events.CopiedToTier e) {
            tierOutcomes.computeIfAbsent(e.location(), k -> new Outcomes()).success(e.at());
        } else if (event instanceof Events.TierCopyFailed e) {
            tierOutcomes.computeIfAbsent(e.location(), k -> new Outcomes()).failure(e.at(), e.id().value(),
                    e.error());
        }
        repositories.stream().filter(w -> w.location.equals(event.location())).forEach(Watched::stale);
        Optional.ofNullable(tiers.get(event.location())).ifPresent(Watched::stale);
    }

    /** @return every check, now */
    public HealthReport check() {
        Instant now = clock.instant();
        List<HealthCheck> checks = new ArrayList<>();
        for (Watched w : repositories) {
            Optional<List<BackupSet>> sets = w.sets(now, listingTtl);
            String component = "repository:" + w.location;
            if (sets.isEmpty()) {
                checks.add(new HealthCheck("backup-age", component, HealthStatus.UNKNOWN,
                        "cannot list backups: " + w.error, Map.of()));
            } else {
                checks.addAll(ageChecks("backup-age", component, sets.get(), now, false));
                w.authenticity.ifPresent(accepts -> checks.add(authenticityCheck(component, sets.get(), accepts)));
                checksumCheck(component, sets.get()).ifPresent(checks::add);
                drillAge.ifPresent(t -> checks.add(DrillAge.check(component, sets.get(), w.drills(now, listingTtl),
                        Optional.ofNullable(checkedRestores.get(w.location)), t, now)));
            }
            checks.add(failureCheck("backup-failure", component, outcomes.get(w.location)));
        }
        for (String location : new TreeMap<>(outcomes).keySet()) {
            if (repositories.stream().noneMatch(w -> w.location.equals(location))) {
                checks.add(failureCheck("backup-failure", "repository:" + location, outcomes.get(location)));
            }
        }
        java.util.Set<String> vaultTiers = new java.util.HashSet<>();
        for (PgVault vault : vaultsWithTiers) {
            for (TierHealth t : vault.tierHealth()) {
                vaultTiers.add(t.tier());
                checks.addAll(TierChecks.of(t, tierAge.getOrDefault(t.tier(), backupAge), now));
            }
        }
        Map<String, Boolean> tierNames = new TreeMap<>();
        tiers.keySet().forEach(t -> tierNames.put(t, true));
        tierOutcomes.keySet().forEach(t -> tierNames.putIfAbsent(t, false));
        tierNames.keySet().removeAll(vaultTiers);
        for (String tier : tierNames.keySet()) {
            String component = "tier:" + tier;
            Watched w = tiers.get(tier);
            if (w != null) {
                Optional<List<BackupSet>> sets = w.sets(now, listingTtl);
                checks.addAll(sets.isPresent() ? ageChecks("tier-age", component, sets.get(), now, true)
                        : List.of(new HealthCheck("tier-age", component, HealthStatus.UNKNOWN,
                                "cannot list the tier: " + w.error, Map.of())));
            }
            checks.add(failureCheck("tier-copy", component, tierOutcomes.get(tier)));
        }
        for (ArchiveMonitor archive : archives) {
            checks.add(archive.check(clock));
        }
        for (PgBackRestMirror mirror : mirrors) {
            checks.addAll(mirrorChecks(mirror));
        }
        return HealthReport.of(now, checks);
    }

    private List<HealthCheck> ageChecks(String name, String component, List<BackupSet> sets, Instant now,
            boolean tier) {
        Map<String, BackupSet> newest = new TreeMap<>();
        List<HealthCheck> checks = new ArrayList<>();
        sets.stream().filter(s -> s.status() == BackupStatus.COMPLETE).filter(s -> {
            if (!Catalog.datedInFuture(s, now) && !s.finishedAt().isAfter(now.plus(Catalog.SKEW_TOLERANCE))) {
                return true;
            }
            checks.add(new HealthCheck(name + "-clock", component + "/" + s.source(), HealthStatus.WARNING,
                    "clock skew: set " + s.id() + " of " + s.source() + " finished at " + s.finishedAt() + ", "
                            + human(Duration.between(now, s.finishedAt())) + " in the future of this host's clock; "
                            + "it does not count as a fresh backup", Map.of("setId", s.id().value(),
                            "finishedAt", s.finishedAt())));
            return false;
        }).forEach(s -> newest.merge(s.source(), s, (a, b) -> b.finishedAt().isAfter(a.finishedAt()) ? b : a));
        if (newest.isEmpty()) {
            checks.add(new HealthCheck(name, component, HealthStatus.CRITICAL,
                    "no complete backup in " + component, Map.of("sets", (long) sets.size())));
            return checks;
        }
        for (BackupSet set : newest.values()) {
            Thresholds t = tier ? tierAge.getOrDefault(component.substring("tier:".length()), backupAge)
                    : backupAgeBySource.getOrDefault(set.source(), backupAge);
            Duration age = Duration.between(set.finishedAt(), now);
            HealthStatus status = t.status(age);
            if (age.isNegative()) { // within the tolerance, yet ahead: say so rather than call it fresh
                status = status == HealthStatus.OK ? HealthStatus.WARNING : status;
            }
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("source", set.source());
            facts.put("setId", set.id().value());
            facts.put("type", set.type().name());
            facts.put("finishedAt", set.finishedAt());
            facts.put("ageSeconds", age.toSeconds());
            facts.put("warningSeconds", t.warning().toSeconds());
            facts.put("criticalSeconds", t.critical().toSeconds());
            checks.add(new HealthCheck(name, component + "/" + set.source(), status, age.isNegative()
                    ? "clock skew: newest complete backup of " + set.source() + " finished " + human(age.negated())
                            + " in the future of this host's clock"
                    : "newest complete backup of " + set.source() + " is " + human(age) + " old (warning over "
                            + human(t.warning()) + ", critical over " + human(t.critical()) + ")", facts));
        }
        return checks;
    }

    static List<HealthCheck> mirrorChecks(PgBackRestMirror mirror) {
        String component = "mirror:" + mirror.tier().name() + "/" + mirror.stanza();
        List<HealthCheck> out = new ArrayList<>();
        try {
            List<String> problems = mirror.coverageProblems();
            out.add(problems.isEmpty()
                    ? new HealthCheck("mirror-coverage", component, HealthStatus.OK, "no hole in the mirrored WAL and "
                            + "no selected set missed", Map.of())
                    : new HealthCheck("mirror-coverage", component, HealthStatus.WARNING, String.join("; ", problems),
                            Map.of("problems", problems)));
            checksumCheck(component, mirror.holdings().stream().map(m -> m.toBackupSet("")).toList())
                    .ifPresent(out::add);
        } catch (PgVaultException e) {
            out.add(new HealthCheck("mirror-coverage", component, HealthStatus.UNKNOWN, "cannot read the mirror: "
                    + e.getMessage(), Map.of()));
        }
        return out;
    }

    /**
     * pgBackRest sets flagged for page checksum errors: complete and restorable (kept by retention like any other),
     * but a sign of corrupt pages in the cluster (a bad index page, a failing disk) that every later backup copies
     * too until it is repaired. WARNING naming each flagged set and its file count while any listed set is flagged;
     * OK when the listing holds pgBackRest sets and none is flagged; absent for other strategies.
     */
    static Optional<HealthCheck> checksumCheck(String component, List<BackupSet> sets) {
        List<BackupSet> physical = sets.stream().filter(s -> PgBackRestBackup.STRATEGY.equals(s.strategy()))
                .toList();
        if (physical.isEmpty()) {
            return Optional.empty();
        }
        List<BackupSet> flagged = physical.stream()
                .filter(s -> "true".equals(s.attributes().get(PgBackRestBackup.ERROR))).toList();
        if (flagged.isEmpty()) {
            return Optional.of(new HealthCheck("backup-checksums", component, HealthStatus.OK, "no set of "
                    + physical.size() + " is flagged for page checksum errors", Map.of()));
        }
        List<String> named = flagged.stream().map(s -> s.id().value() + " ("
                + Optional.ofNullable(s.attributes().get(PgBackRestBackup.ERROR_FILES)).map(n -> n + " file"
                + ("1".equals(n) ? "" : "s")).orElse("files not listed") + ")").toList();
        BackupSet newest = flagged.get(flagged.size() - 1);
        boolean newestFlagged = physical.stream().max(java.util.Comparator.comparing(BackupSet::startedAt)
                .thenComparing(BackupSet::id)).map(s -> s.id().equals(newest.id())).orElse(false);
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("flaggedSets", flagged.stream().map(s -> s.id().value()).toList());
        facts.put("newestFlagged", newestFlagged);
        return Optional.of(new HealthCheck("backup-checksums", component, HealthStatus.WARNING, flagged.size()
                + " set(s) flagged by pgBackRest for page checksum errors: " + String.join(", ", named)
                + (newestFlagged ? "; the newest set is flagged, so the cluster still has the damaged pages" : "")
                + ". They are complete, restorable and kept; find the files with PgBackRest.checksumErrors(repo, "
                + "label) and repair them (REINDEX an index; restore a table from an older set), then take a "
                + "backup", facts));
    }

    /**
     * Which sets are not proven authentic (ADR 0013): CRITICAL when a manifest fails its MAC (altered, or signed with
     * another key), WARNING when the newest set is not proven and the vault does not accept such sets (a restore of
     * it needs an opt-in), OK otherwise, naming the unproven sets in the details.
     */
    static HealthCheck authenticityCheck(String component, List<BackupSet> sets, boolean accepts) {
        List<String> mismatch = sets.stream().filter(s -> s.authenticity() == Authenticity.MISMATCH)
                .map(s -> s.id().value()).toList();
        List<String> unproven = sets.stream().filter(s -> !s.authenticity().proven()).map(s -> s.id().value())
                .toList();
        Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("sets", sets.size());
        details.put("unauthenticated", String.join(",", unproven.stream().limit(20).toList())
                + (unproven.size() > 20 ? ",..." : ""));
        if (!mismatch.isEmpty()) {
            return new HealthCheck("backup-authenticity", component, HealthStatus.CRITICAL, mismatch.size()
                    + " manifest(s) fail authentication (altered after they were written, or signed with another "
                    + "key): " + String.join(", ", mismatch.stream().limit(5).toList())
                    + "; see runbook unauthenticated-sets.md", details);
        }
        Optional<BackupSet> newest = sets.stream().filter(s -> s.status() == BackupStatus.COMPLETE)
                .max(java.util.Comparator.comparing(BackupSet::startedAt));
        if (newest.isPresent() && !newest.get().authenticity().proven() && !accepts) {
            return new HealthCheck("backup-authenticity", component, HealthStatus.WARNING, "the newest set, "
                    + newest.get().id() + ", is " + newest.get().authenticity() + ": a restore of it needs "
                    + "allowUnauthenticated; configure an integrity key or encryption (" + unproven.size() + " of "
                    + sets.size() + " sets unauthenticated)", details);
        }
        return new HealthCheck("backup-authenticity", component, HealthStatus.OK, unproven.isEmpty()
                ? "every set is authenticated" : unproven.size() + " of " + sets.size() + " sets are not "
                + "authenticated" + (accepts ? " (this vault accepts them)" : " (older ones; the newest is)"),
                details);
    }

    private HealthCheck failureCheck(String name, String component, Outcomes o) {
        Outcomes.Failure f = o == null ? null : o.unresolvedFailure();
        if (f == null) {
            Map<String, Object> facts = new LinkedHashMap<>();
            if (o != null && o.lastSuccess() != null) {
                facts.put("lastSuccessAt", o.lastSuccess());
            }
            return new HealthCheck(name, component, HealthStatus.OK, "no failure since " + since
                    + (o != null && o.lastFailure() != null ? " that a later success did not resolve" : ""), facts);
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("failedAt", f.at());
        facts.put("setId", f.setId());
        facts.put("error", f.message());
        f.code().ifPresent(c -> facts.put("errorCode", c));
        facts.put("retryable", f.retryable());
        String what = name.equals("tier-copy") ? "copy of " + f.setId() + " to " + component : "backup " + f.setId();
        return new HealthCheck(name, component, HealthStatus.WARNING, what + " failed at " + f.at() + ": "
                + f.message(), facts);
    }

    /**
     * @param d a duration
     * @return it rounded for a message: minutes under 2 h, hours under 3 days, else days
     */
    static String human(Duration d) {
        long minutes = d.toMinutes();
        if (minutes < 120) {
            return minutes + "min";
        }
        long hours = d.toHours();
        return hours < 72 ? hours + "h" : d.toDays() + "d";
    }

    @Override
    public String toString() {
        return "BackupHealth[" + repositories.size() + " repositories, " + tiers.size() + " tiers, " + archives.size()
                + " archives]";
    }

    /** A cached listing. */
    private static final class Watched {
        final String location;
        final Supplier<List<BackupSet>> reader;
        final Repository records;
        private List<BackupSet> cached;
        private List<DrillRecord> drills = List.of();
        private Instant drillsReadAt;
        private Instant readAt;
        private String error;
        /** For a vault's catalog: whether the vault accepts unauthenticated sets; empty for other listings. */
        Optional<Boolean> authenticity = Optional.empty();

        Watched(String location, Supplier<List<BackupSet>> reader, Repository records) {
            this.location = Objects.requireNonNull(location, "location");
            this.reader = Objects.requireNonNull(reader, "reader");
            this.records = records;
        }

        synchronized void stale() {
            readAt = null;
            drillsReadAt = null;
        }

        /** @return the drill records kept in the repository (empty when it keeps none or cannot be read) */
        synchronized List<DrillRecord> drills(Instant now, Duration ttl) {
            if (records == null) {
                return List.of();
            }
            if (drillsReadAt == null || now.isBefore(drillsReadAt) || !now.isBefore(drillsReadAt.plus(ttl))) {
                try {
                    drills = RestoreDrill.drills(records);
                    drillsReadAt = now;
                } catch (PgVaultException e) {
                    LOG.warn("health: cannot read drill records of {}: {}", location, e.getMessage());
                    drills = List.of();
                }
            }
            return drills;
        }

        synchronized Optional<List<BackupSet>> sets(Instant now, Duration ttl) {
            if (readAt == null || now.isBefore(readAt) || !now.isBefore(readAt.plus(ttl))) {
                try {
                    cached = List.copyOf(reader.get());
                    readAt = now;
                    error = null;
                } catch (RuntimeException e) {
                    LOG.warn("health: cannot list {}: {}", location, e.toString());
                    error = String.valueOf(e.getMessage());
                    cached = null;
                    readAt = null;
                }
            }
            return Optional.ofNullable(cached);
        }
    }

    /** Builds a {@link BackupHealth}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Thresholds backupAge = Thresholds.backupAgeDefault();
        private final Map<String, Thresholds> backupAgeBySource = new LinkedHashMap<>();
        private final Map<String, Thresholds> tierAge = new LinkedHashMap<>();
        private Thresholds drillAge = Thresholds.drillAgeDefault();
        private Duration listingTtl = Duration.ofMinutes(5);

        private Builder() {
        }

        /** @param clock time source; default the UTC system clock @return this */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** @param thresholds backup age for every source; default 24 h / 26 h @return this */
        public Builder backupAge(Thresholds thresholds) {
            this.backupAge = thresholds;
            return this;
        }

        /**
         * @param source     a set's source (database name, {@code *}, stanza)
         * @param thresholds backup age for that source
         * @return this
         */
        public Builder backupAge(String source, Thresholds thresholds) {
            backupAgeBySource.put(Objects.requireNonNull(source, "source"), thresholds);
            return this;
        }

        /**
         * @param tier       a tier's name
         * @param thresholds age of the tier's newest set; default the backup-age thresholds
         * @return this
         */
        public Builder tierAge(String tier, Thresholds thresholds) {
            tierAge.put(Objects.requireNonNull(tier, "tier"), thresholds);
            return this;
        }

        /**
         * @param thresholds age of the last restore that was checked in a repository (a passing drill, or one
         *                   reported with {@link BackupHealth#restoreChecked}); a deep verify does not count since
         *                   0.6.0; {@code null} turns the check off; default 35 d / 45 d (a monthly drill)
         * @return this
         */
        public Builder drillAge(Thresholds thresholds) {
            this.drillAge = thresholds;
            return this;
        }

        /** @param ttl how long a catalog listing is reused; default 5 minutes @return this */
        public Builder listingTtl(Duration ttl) {
            this.listingTtl = ttl;
            return this;
        }

        /** @return the health monitor */
        public BackupHealth build() {
            List<String> problems = new ArrayList<>();
            if (clock == null) {
                problems.add("clock must not be null");
            }
            if (backupAge == null) {
                problems.add("backupAge must not be null");
            }
            backupAgeBySource.forEach((k, v) -> {
                if (v == null) {
                    problems.add("backupAge of source " + k + " must not be null");
                }
            });
            tierAge.forEach((k, v) -> {
                if (v == null) {
                    problems.add("tierAge of tier " + k + " must not be null");
                }
            });
            if (listingTtl == null || listingTtl.isNegative()) {
                problems.add("listingTtl must be zero or positive, was " + listingTtl);
            }
            io.pgvault.api.ConfigurationException.throwIfAny(problems);
            return new BackupHealth(this);
        }
    }
}
