package io.pgvault.config;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVault;
import io.pgvault.api.event.VaultListener;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.config.PgVaultSettings.Database;
import io.pgvault.config.PgVaultSettings.ScheduleSettings;
import io.pgvault.operations.ConnectionSource;
import io.pgvault.operations.drill.DrillBuilder;
import io.pgvault.operations.drill.DrillReport;
import io.pgvault.operations.drill.LogicalDrill;
import io.pgvault.operations.drill.RestoreDrill;
import io.pgvault.operations.health.BackupHealth;
import io.pgvault.operations.health.Thresholds;
import io.pgvault.operations.schedule.Job;
import io.pgvault.operations.schedule.JobResult;
import io.pgvault.operations.schedule.JobStore;
import io.pgvault.operations.schedule.MisfirePolicy;
import io.pgvault.operations.schedule.PostgresAdvisoryGuard;
import io.pgvault.operations.schedule.RunOn;
import io.pgvault.operations.schedule.Scheduler;
import io.pgvault.operations.schedule.SingleRunnerGuard;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a {@link PgVaultSettings} describes, built: the {@link PgVault} of logical backups, the pgBackRest facade,
 * health, restore drills and the scheduled jobs. Hosts (the Spring Boot starter, the command line) take the pieces
 * they need; each is built from the same settings the same way.
 *
 * <pre>
 * VaultAssembly assembly = VaultAssembly.builder(settings).build();
 * assembly.vault().orElseThrow().backup();
 * </pre>
 *
 * Every problem found while building (a module missing from the classpath, a referenced secret that is not set) is
 * reported at once in one {@link ConfigurationException}, each with its property path. When the only problems are
 * stores out of reach (an S3 bucket that does not answer), the build fails with a
 * {@link io.pgvault.api.RepositoryException} listing them instead: nothing is misconfigured.
 *
 * @since 0.6.0
 */
public final class VaultAssembly implements AutoCloseable {
    /** Marks a problem that is a store or tool out of reach, not a setting. */
    static final String UNAVAILABLE = "unavailable: ";

    private final PgVaultSettings settings;
    private final Optional<PgVault> vault;
    private final Optional<PhysicalAssembly> physical;
    private final BackupHealth health;
    private final Optional<ConnectionSource> database;
    private final Clock clock;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final io.pgvault.spi.Repository drillRecords;

    private VaultAssembly(Builder b, List<String> problems) {
        this.settings = b.settings;
        this.clock = b.clock;
        this.database = b.database != null ? Optional.of(b.database)
                : settings.database().flatMap(d -> connectionSource(d, problems));
        Thresholds backupAge = thresholds(settings.health().backupWarning(), settings.health().backupCritical(),
                "pgvault.health.backup-age", problems);
        Thresholds drillAge = thresholds(settings.health().drillWarning(), settings.health().drillCritical(),
                "pgvault.health.drill-age", problems);
        BackupHealth.Builder hb = BackupHealth.builder().clock(clock).listingTtl(settings.health().listingTtl());
        if (backupAge != null) {
            hb.backupAge(backupAge);
        }
        hb.drillAge(settings.health().drillAge() ? drillAge : null);
        this.health = hb.build();
        List<VaultListener> listeners = new ArrayList<>(b.listeners);
        listeners.add(0, health);
        this.vault = settings.dump().isPresent()
                ? LogicalAssembly.vault(settings, clock, listeners, problems, opened) : Optional.empty();
        this.physical = settings.pgbackrest().isPresent()
                ? PhysicalAssembly.of(settings.pgbackrest().get(), clock, problems) : Optional.empty();
        physical.ifPresent(p -> p.mirror(settings.pgbackrest().get(), clock, problems, opened));
        this.drillRecords = settings.drill().records().map(r -> {
            io.pgvault.spi.Repository repo = Repositories.open(r, "pgvault.drill.records", problems);
            if (repo instanceof AutoCloseable c) {
                opened.add(c);
            }
            return repo;
        }).orElse(null);
    }

    /**
     * @param settings bound settings
     * @return a builder
     */
    public static Builder builder(PgVaultSettings settings) {
        return new Builder(settings);
    }

    /**
     * Closes the repositories' clients (S3, Drive). Idempotent; the objects handed out stop working.
     */
    @Override
    public synchronized void close() {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(VaultAssembly.class).warn("closing {}: {}", c, e.toString());
            }
        }
        opened.clear();
    }

    /** @return the settings this was built from */
    public PgVaultSettings settings() {
        return settings;
    }

    /** @return the vault of logical backups, when {@code pgvault.dump} is set */
    public Optional<PgVault> vault() {
        return vault;
    }

    /** @return the pgBackRest facade, when {@code pgvault.pgbackrest} is set */
    public Optional<io.pgvault.backend.pgbackrest.PgBackRest> pgBackRest() {
        return physical.map(PhysicalAssembly::pgBackRest);
    }

    /** @return health, listening to the vault and watching every configured catalog */
    public BackupHealth health() {
        return health;
    }

    /** @return the pgBackRest mirror, when {@code pgvault.pgbackrest.mirror} is set */
    public Optional<io.pgvault.backend.pgbackrest.mirror.PgBackRestMirror> mirror() {
        return physical.flatMap(PhysicalAssembly::mirror);
    }

    /** @return the backed-up database as a connection source (advisory locks, job store, archive status) */
    public Optional<ConnectionSource> database() {
        return database;
    }

    /** @return a restore drill of the logical sets ({@link LogicalDrill}), else of the pgBackRest sets */
    public Optional<RestoreDrill> drill() {
        return drill(b -> { });
    }

    /**
     * @param adjust applied to the drill's builder after the configured settings (an operator's choice of set or
     *               assertions for one run)
     * @return the drill {@code pgvault.drill.*} configures, adjusted: the logical one when {@code pgvault.dump} is
     *         set, else the physical one
     * @since 0.6.0
     */
    public Optional<RestoreDrill> drill(Consumer<DrillBuilder<?>> adjust) {
        Consumer<DrillBuilder<?>> configured = b -> {
            if (drillRecords != null) {
                b.records(drillRecords);
            }
            b.record(settings.drill().record());
            settings.drill().workDirectory().ifPresent(b::workDirectory);
            settings.drill().binDir().ifPresent(b::binDir);
            settings.drill().serverUser().ifPresent(b::serverUser);
            b.amcheck(settings.drill().amcheck());
            b.clock(clock);
            b.listener(health);
        };
        Consumer<DrillBuilder<?>> common = configured.andThen(adjust);
        if (vault.isPresent()) {
            LogicalDrill.Builder b = LogicalDrill.builder().vault(vault.get()).jobs(settings.drill().jobs());
            common.accept(b);
            return Optional.of(b.build());
        }
        // PhysicalAssembly names the pgBackRest types, so this class loads without the backend's jar
        return physical.map(p -> p.drill(common));
    }

    /** @return the jobs {@code pgvault.schedule.*} asks for, named backup, sync, drill, physical-full/diff/incr */
    public List<Job> jobs() {
        ScheduleSettings s = settings.schedule();
        List<Job> jobs = new ArrayList<>();
        s.backup().ifPresent(cron -> jobs.add(job("backup", cron).task(ctx -> {
            PgVault v = vault.orElseThrow();
            v.backupAndCopy();
            settings.retention().map(LogicalAssembly::policy).ifPresent(p -> v.prune(p, PruneMode.EXECUTE));
            if (settings.tiers().stream().anyMatch(t -> t.retention().isPresent())) {
                v.pruneTiers(PruneMode.EXECUTE);
            }
        }).build()));
        s.sync().ifPresent(cron -> jobs.add(job("sync", cron).task(ctx -> vault.orElseThrow().sync()).build()));
        s.drill().ifPresent(cron -> {
            RestoreDrill drill = drill().orElseThrow();
            jobs.add(job("drill", cron).misfire(MisfirePolicy.SKIP).task(ctx -> {
                DrillReport report = drill.run();
                if (!report.passed()) {
                    throw new IllegalStateException(report.toText());
                }
            }).build());
        });
        physical.ifPresent(p -> {
            s.physicalFull().ifPresent(cron -> jobs.add(job("physical-full", cron).task(ctx -> p.backup("FULL", retention()))
                    .build()));
            s.physicalDiff().ifPresent(cron -> jobs.add(job("physical-diff", cron).task(ctx -> p.backup("DIFF", retention()))
                    .build()));
            s.mirror().ifPresent(cron -> jobs.add(job("mirror", cron).task(ctx -> p.runMirror()).build()));
            s.physicalIncr().ifPresent(cron -> jobs.add(job("physical-incr", cron).task(ctx -> p.backup("INCR", retention()))
                    .build()));
        });
        return jobs;
    }

    private Job.Builder job(String name, String cron) {
        return Job.builder(name).cron(cron).zone(settings.schedule().zone())
                .runOn(database.isPresent() ? settings.schedule().runOn() : RunOn.ANY);
    }

    /**
     * @param onResult told every job result (metrics), may be {@code null}
     * @return a scheduler of {@link #jobs()} with the configured guard and store, not started
     * @throws ConfigurationException when a job's cron is invalid (with its property path)
     */
    public Scheduler scheduler(Consumer<JobResult> onResult) {
        ScheduleSettings s = settings.schedule();
        Scheduler.Builder b = Scheduler.builder().clock(clock).tickInterval(s.tickInterval());
        if (s.guard() && database.isPresent()) {
            b.guard(PostgresAdvisoryGuard.of(database.get()));
        } else {
            b.guard(SingleRunnerGuard.local());
        }
        switch (s.store()) {
            case POSTGRES -> b.store(database.map(JobStore::postgres).orElseGet(JobStore::inMemory));
            case FILE -> b.store(JobStore.file(s.storeFile().orElseThrow()));
            default -> b.store(JobStore.inMemory());
        }
        List<String> problems = new ArrayList<>();
        for (Job j : jobsChecked(problems)) {
            b.job(j);
        }
        ConfigurationException.throwIfAny(problems);
        if (onResult != null) {
            b.onResult(onResult);
        }
        return b.build();
    }

    private List<Job> jobsChecked(List<String> problems) {
        try {
            return jobs();
        } catch (IllegalArgumentException | ConfigurationException e) {
            problems.add("pgvault.schedule: " + e.getMessage());
            return List.of();
        }
    }

    private static Optional<ConnectionSource> connectionSource(Database d, List<String> problems) {
        try {
            return Optional.of(ConnectionSource.of(connection(d, "pgvault.database")));
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return Optional.empty();
        } catch (RuntimeException e) {
            problems.add("pgvault.database: " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * @param d        bound database settings
     * @param property their property path, for messages
     * @return the connection, its password resolved
     */
    static PgConnection connection(Database d, String property) {
        PgConnection.Builder b = PgConnection.builder().host(d.host()).port(d.port()).user(d.user())
                .database(d.database());
        d.password().ifPresent(p -> b.password(p.resolve(property + ".password")));
        d.passfile().ifPresent(b::passfile);
        d.sslMode().ifPresent(b::sslMode);
        d.binDir().ifPresent(b::binDir);
        return b.build();
    }

    private static Thresholds thresholds(java.time.Duration warning, java.time.Duration critical, String property,
            List<String> problems) {
        try {
            return Thresholds.of(warning, critical);
        } catch (IllegalArgumentException e) {
            problems.add(property + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * Builds a {@link VaultAssembly}.
     *
     * @since 0.6.0
     */
    public static final class Builder {
        private final PgVaultSettings settings;
        private Clock clock = Clock.systemUTC();
        private ConnectionSource database;
        private final List<VaultListener> listeners = new ArrayList<>();

        private Builder(PgVaultSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /** @param clock time source of everything (default: the system's UTC clock) @return this */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param source the backed-up database as the host already reaches it (e.g. its {@code DataSource} pool);
         *               default: a JDBC connection from {@code pgvault.database}
         * @return this
         */
        public Builder database(ConnectionSource source) {
            this.database = Objects.requireNonNull(source, "source");
            return this;
        }

        /** @param listener told the vault's events besides health (e.g. metrics) @return this */
        public Builder listener(VaultListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @return the assembly
         * @throws ConfigurationException listing every problem found while building
         */
        public VaultAssembly build() {
            List<String> problems = new ArrayList<>();
            VaultAssembly a = new VaultAssembly(this, problems);
            if (!problems.isEmpty()) {
                a.close(); // S3 clients and Drive transports already opened
                if (problems.stream().allMatch(p -> p.contains(UNAVAILABLE))) {
                    // nothing is misconfigured: a store is down or refuses (exit 1 for the command, not 2)
                    throw new io.pgvault.api.RepositoryException(String.join("; ", problems), null);
                }
                throw new ConfigurationException(problems);
            }
            a.vault.ifPresent(a.health::watch);
            a.physical.ifPresent(p -> p.watch(a.health));
            return a;
        }
    }

    /** @return the primary's retention ({@code pgvault.retention}: every rule set, combined), when configured */
    public Optional<RetentionPolicy> retention() {
        return settings.retention().map(LogicalAssembly::policy);
    }
}
