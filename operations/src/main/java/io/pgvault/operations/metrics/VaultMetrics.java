package io.pgvault.operations.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.pgvault.api.BackupSet;
import io.pgvault.api.PgVault;
import io.pgvault.api.event.Events;
import io.pgvault.api.event.VaultEvent;
import io.pgvault.api.event.VaultListener;
import io.pgvault.api.tier.TierHealth;
import io.pgvault.operations.drill.DrillCompleted;
import io.pgvault.operations.drill.RestoreDrill;
import io.pgvault.operations.health.ArchiveMonitor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Micrometer meters for pgvault, fed by events and seeded from the catalogs so that a restarted service shows the
 * right values at once. Register it as a listener on each vault and bind it to the host's registry:
 *
 * <pre>{@code
 * VaultMetrics metrics = VaultMetrics.builder().build();
 * PgVault vault = PgVault.builder()...listener(metrics).build();
 * metrics.watch(vault);            // seeds last success, sizes, last verified, tiers from the catalogs
 * metrics.bindTo(meterRegistry);
 * }</pre>
 *
 * <p>Meters (tags: {@code repository} = the repository's id, {@code strategy} = the strategy's name, {@code tier} =
 * the tier's name, {@code archive} = an {@link ArchiveMonitor}'s name, {@code kind} = stored or logical):
 * <table>
 * <caption>meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>value</th></tr>
 * <tr><td>pgvault.backup.last.success</td><td>gauge, seconds</td><td>repository, strategy</td>
 *     <td>epoch seconds when the newest backup finished</td></tr>
 * <tr><td>pgvault.backup.last.success.age</td><td>gauge, seconds</td><td>repository, strategy</td>
 *     <td>seconds since then, at scrape time</td></tr>
 * <tr><td>pgvault.backup.duration</td><td>timer</td><td>repository, strategy</td><td>successful backups</td></tr>
 * <tr><td>pgvault.backup.size</td><td>gauge, bytes</td><td>repository, strategy, kind</td>
 *     <td>size of the newest backup</td></tr>
 * <tr><td>pgvault.backup.failures</td><td>counter</td><td>repository, strategy</td><td>failed backups</td></tr>
 * <tr><td>pgvault.tier.last.success</td><td>gauge, seconds</td><td>tier</td>
 *     <td>epoch seconds of the last copy to the tier</td></tr>
 * <tr><td>pgvault.tier.last.success.age</td><td>gauge, seconds</td><td>tier</td><td>seconds since then</td></tr>
 * <tr><td>pgvault.tier.copy.failures</td><td>counter</td><td>tier</td><td>failed copies</td></tr>
 * <tr><td>pgvault.restore.duration</td><td>timer</td><td>repository</td><td>completed restores</td></tr>
 * <tr><td>pgvault.drill.last.success</td><td>gauge, seconds</td><td>repository</td>
 *     <td>epoch seconds of the last proof of restorability (a passing drill or deep verify)</td></tr>
 * <tr><td>pgvault.drill.last.success.age</td><td>gauge, seconds</td><td>repository</td><td>seconds since then</td></tr>
 * <tr><td>pgvault.drill.failures</td><td>counter</td><td>repository</td><td>failed restore drills</td></tr>
 * <tr><td>pgvault.drill.rto</td><td>gauge, seconds</td><td>repository</td>
 *     <td>recovery time measured by the last passing drill (or restore)</td></tr>
 * <tr><td>pgvault.archive.lag</td><td>gauge, seconds</td><td>archive</td><td>WAL archive lag</td></tr>
 * <tr><td>pgvault.archive.pending.segments</td><td>gauge</td><td>archive</td><td>completed segments not archived</td></tr>
 * <tr><td>pgvault.archive.failing</td><td>gauge</td><td>archive</td><td>1 while archiving fails, else 0</td></tr>
 * </table>
 * Gauges are NaN until a value is known. Archive gauges query the server at most once per {@code archiveCacheFor}.
 * This class is the only one in pgvault that needs Micrometer on the class path.
 *
 * @since 0.2.0
 */
public final class VaultMetrics implements VaultListener, MeterBinder {
    private final Clock clock;
    private final Duration archiveCacheFor;
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    private final Map<List<String>, BackupMeters> backups = new ConcurrentHashMap<>();
    private final Map<String, TierMeters> tiers = new ConcurrentHashMap<>();
    private final Map<String, DrillMeters> drills = new ConcurrentHashMap<>();
    private final Map<String, ArchiveGauges> archives = new ConcurrentHashMap<>();

    private VaultMetrics(Builder b) {
        this.clock = b.clock;
        this.archiveCacheFor = b.archiveCacheFor;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Seeds the meters of a vault from its catalog (newest set, last verified) and its tiers.
     *
     * @param vault a vault this object also listens to
     * @return this
     */
    public VaultMetrics watch(PgVault vault) {
        String repository = vault.repository().id();
        String strategy = vault.strategy().name();
        List<BackupSet> sets = vault.list();
        vault.latest().ifPresent(set -> backup(repository, strategy).completed(set, false));
        if (!backups.containsKey(List.of(repository, strategy))) {
            backup(repository, strategy); // so the gauges exist (NaN) before the first backup
        }
        sets.stream().flatMap(s -> s.lastVerified().stream()).max(Instant::compareTo)
                .ifPresent(at -> drill(repository).proven(at, null));
        RestoreDrill.lastPassedDrill(vault.repository())
                .ifPresent(d -> drill(repository).proven(d.finishedAt(), d.rto().orElse(null)));
        for (TierHealth t : vault.tierHealth()) {
            TierMeters m = tier(t.tier());
            t.newestCopy().ifPresent(m::succeeded);
            t.lastSuccess().ifPresent(m::succeeded);
        }
        return this;
    }

    /**
     * Adds gauges for a cluster's WAL archiving.
     *
     * @param monitor the cluster's monitor
     * @return this
     */
    public VaultMetrics watchArchive(ArchiveMonitor monitor) {
        archives.computeIfAbsent(monitor.name(), n -> {
            ArchiveGauges g = new ArchiveGauges(monitor, clock, archiveCacheFor);
            registries.forEach(g::register);
            return g;
        });
        return this;
    }

    /** Registers every meter known now, and those that appear later, with {@code registry}. */
    @Override
    public void bindTo(MeterRegistry registry) {
        registries.add(registry);
        backups.values().forEach(m -> m.register(registry));
        tiers.values().forEach(m -> m.register(registry));
        drills.values().forEach(m -> m.register(registry));
        archives.values().forEach(g -> g.register(registry));
    }

    /** Updates the meters from an event. */
    @Override
    public void on(VaultEvent event) {
        if (event instanceof Events.BackupCompleted e) {
            backup(e.location(), e.set().strategy()).completed(e.set(), true);
        } else if (event instanceof Events.BackupFailed e) {
            backup(e.location(), e.strategy()).failures.forEach(Counter::increment);
        } else if (event instanceof Events.CopiedToTier e) {
            tier(e.location()).succeeded(e.at());
        } else if (event instanceof Events.TierCopyFailed e) {
            tier(e.location()).failures.forEach(Counter::increment);
        } else if (event instanceof Events.Verified e) {
            if (e.result().deep() && e.result().problems().isEmpty()) {
                drill(e.location()).proven(e.at(), null);
            }
        } else if (event instanceof DrillCompleted e) {
            DrillMeters d = drill(e.location());
            if (e.passed()) {
                d.proven(e.at(), e.report().rto().orElse(null));
            } else {
                d.failures.forEach(Counter::increment);
            }
        } else if (event instanceof Events.RestoreCompleted e) {
            DrillMeters d = drill(e.location());
            d.restores.forEach(t -> t.record(e.result().duration()));
        }
    }

    private BackupMeters backup(String repository, String strategy) {
        return backups.computeIfAbsent(List.of(repository, strategy), k -> {
            BackupMeters m = new BackupMeters(Tags.of("repository", repository, "strategy", strategy), clock);
            registries.forEach(m::register);
            return m;
        });
    }

    private TierMeters tier(String tier) {
        return tiers.computeIfAbsent(tier, k -> {
            TierMeters m = new TierMeters(Tags.of("tier", tier), clock);
            registries.forEach(m::register);
            return m;
        });
    }

    /**
     * @param repository a repository's id
     * @return the drill meters of that repository, for modules that record drills (e.g. restore drills)
     */
    DrillMeters drill(String repository) {
        return drills.computeIfAbsent(repository, k -> {
            DrillMeters m = new DrillMeters(Tags.of("repository", repository), clock);
            registries.forEach(m::register);
            return m;
        });
    }

    /**
     * Records a proof of restorability measured outside events (e.g. a restore drill's report).
     *
     * @param repository the repository whose set was proven
     * @param at         when the proof finished
     * @param rto        the measured recovery time, if measured
     */
    public void drillPassed(String repository, Instant at, Duration rto) {
        drill(repository).proven(at, rto);
    }

    @Override
    public String toString() {
        return "VaultMetrics[" + backups.size() + " repositories, " + tiers.size() + " tiers]";
    }

    /** Builds {@link VaultMetrics}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Duration archiveCacheFor = Duration.ofSeconds(30);

        private Builder() {
        }

        /** @param clock time source of the age gauges; default the UTC system clock @return this */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** @param cacheFor how long an archive status is reused by the gauges; default 30 s @return this */
        public Builder archiveCacheFor(Duration cacheFor) {
            this.archiveCacheFor = cacheFor;
            return this;
        }

        /** @return the metrics */
        public VaultMetrics build() {
            List<String> problems = new ArrayList<>();
            if (clock == null) {
                problems.add("clock must not be null");
            }
            if (archiveCacheFor == null || archiveCacheFor.isNegative()) {
                problems.add("archiveCacheFor must be zero or positive, was " + archiveCacheFor);
            }
            io.pgvault.api.ConfigurationException.throwIfAny(problems);
            Objects.requireNonNull(clock);
            return new VaultMetrics(this);
        }
    }
}
