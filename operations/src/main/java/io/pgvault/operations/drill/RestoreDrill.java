package io.pgvault.operations.drill;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.PgVault;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.RestoreResult;
import io.pgvault.api.event.EventDispatcher;
import io.pgvault.api.event.VaultListener;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.RestoreTarget;
import io.pgvault.backend.pgbackrest.TargetTimeline;
import io.pgvault.operations.OptionalDependency;
import io.pgvault.spi.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Proves that a backup restores: restores a set into a PostgreSQL server made for the purpose, checks the copy, records
 * the outcome and removes the server again.
 *
 * <pre>{@code
 * RestoreDrill drill = RestoreDrill.builder()
 *         .vault(vault)                                    // a PgVault with PgDumpStrategy
 *         .assertion(SqlAssertion.isTrue("orders exist", "SELECT count(*) > 0 FROM shop.orders"))
 *         .build();
 * DrillReport report = drill.run();                        // or scheduler.schedule(..., drill::run)
 * System.out.println(report.toText());
 * }</pre>
 *
 * <h2>What a drill does</h2>
 * <ol>
 * <li>Chooses the set: {@link Builder#backupId} or the vault's newest complete set.</li>
 * <li>Creates a throwaway server: {@code initdb} into a private directory under {@link Builder#workDirectory},
 * started with {@code pg_ctl} on a free port of 127.0.0.1 with {@code trust} authentication, as
 * {@link Builder#serverUser} (PostgreSQL refuses root: {@code runuser}/{@code sudo} through
 * {@link io.pgvault.spi.process.Launcher#asUser}).</li>
 * <li>Restores through {@link PgVault#restore} with the throwaway server as target; the stored checksums of every
 * object are verified first, so a damaged set fails as {@code integrity} before anything is restored.</li>
 * <li>Measures the RTO: from the start of the restore until the restored server answers a query.</li>
 * <li>Checks: per restored database the exact row count of every table against the counts the set recorded at backup
 * time (attribute {@code rowCounts}); {@code amcheck}'s {@code bt_index_check} on every btree index, where the
 * extension is available; each {@link SqlAssertion}.</li>
 * <li>Stops the server and removes its directory, whatever happened.</li>
 * <li>Records: on a pass the set's {@code lastVerified} in the catalog; in any case the report as
 * {@code drills/<set id>.json} in the repository (read back with {@link #lastDrill}); emits {@link DrillCompleted}
 * to the vault's listeners and the drill's own.</li>
 * </ol>
 * {@link #run()} does not throw for a failed drill: the failure is the report's content. It throws only for
 * programming errors.
 *
 * @since 0.2.0
 */
public final class RestoreDrill {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreDrill.class);

    private final PgVault vault;
    private final PgBackRestDrill physical;
    private final Repository records;
    private final Optional<BackupId> backupId;
    private final Optional<Path> binDir;
    private final Optional<String> serverUser;
    private final Path workDirectory;
    private final String locale;
    private final boolean durable;
    private final List<String> serverSettings;
    private final List<String> prepareSql;
    private final Optional<Boolean> includeGlobals;
    private final int jobs;
    private final boolean rowCounts;
    private final boolean amcheck;
    private final boolean heapAllIndexed;
    private final List<SqlAssertion> assertions;
    private final Duration startTimeout;
    private final boolean record;
    private final EventDispatcher listeners;
    private final Clock clock;

    private RestoreDrill(Builder b) {
        this.vault = b.vault;
        this.physical = b.pgBackRest == null ? null : new PgBackRestDrill(b.pgBackRest,
                Optional.ofNullable(b.pitrTarget), Optional.ofNullable(b.targetTimeline),
                b.repo == null ? OptionalInt.empty() : OptionalInt.of(b.repo));
        this.records = b.records != null ? b.records : b.vault != null ? b.vault.repository() : null;
        this.backupId = Optional.ofNullable(b.backupId);
        this.binDir = Optional.ofNullable(b.binDir);
        this.serverUser = b.serverUser != null ? Optional.of(b.serverUser)
                : ThrowawayPostgres.isRoot() ? Optional.of(ThrowawayPostgres.SUPERUSER) : Optional.empty();
        this.workDirectory = b.workDirectory;
        this.locale = b.locale;
        this.durable = b.durable;
        this.serverSettings = List.copyOf(b.serverSettings);
        this.prepareSql = List.copyOf(b.prepareSql);
        this.includeGlobals = Optional.ofNullable(b.includeGlobals);
        this.jobs = b.jobs;
        this.rowCounts = b.rowCounts;
        this.amcheck = b.amcheck;
        this.heapAllIndexed = b.heapAllIndexed;
        this.assertions = List.copyOf(b.assertions);
        this.startTimeout = b.startTimeout;
        this.record = b.record;
        this.listeners = EventDispatcher.of(b.listeners);
        this.clock = b.clock != null ? b.clock : b.vault != null ? b.vault.clock() : Clock.systemUTC();
    }

    /**
     * @return a builder
     * @since 0.2.0
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the drill once. Safe to call from a scheduler ({@code drill::run} is a {@link Runnable} and a
     * {@link java.util.concurrent.Callable}); concurrent runs each get their own server.
     *
     * @return what was restored and checked; {@link DrillReport#passed()} says whether the backup proved restorable
     * @since 0.2.0
     */
    public DrillReport run() {
        Instant startedAt = clock.instant();
        long t0 = System.nanoTime();
        Attempt a = new Attempt();
        try {
            if (physical != null) {
                a.set = physical.choose(backupId);
                LOG.info("restore drill of pgBackRest set {}{} started", a.set.id().value(),
                        physical.describeTarget());
                drillPhysical(a);
            } else {
                a.set = backupId.map(id -> vault.find(id).orElseThrow(() -> new NotFoundException("no backup set "
                        + id + " in " + vault.repository().id()))).orElseGet(() -> vault.latest().orElseThrow(
                                () -> new NotFoundException("no complete backup set of strategy "
                                        + vault.strategy().name() + " in " + vault.repository().id()
                                        + " to drill")));
                if (!a.set.authenticity().proven() && !vault.acceptsUnauthenticated()) {
                    // refused before any server starts or any object is read: a forged set never reaches a tool
                    throw new io.pgvault.api.UnauthenticatedSetException(a.set, vault.repository().id(), "drilled");
                }
                LOG.info("restore drill of set {} ({}) started", a.set.id(), a.set.strategy());
                drill(a);
            }
        } catch (PgVaultException | IllegalArgumentException e) {
            a.problems.add(e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("restore drill failed unexpectedly", e);
            a.problems.add("unexpected failure: " + e);
        }
        return finish(a, startedAt, Duration.ofNanos(System.nanoTime() - t0));
    }

    private void drill(Attempt a) {
        io.pgvault.spi.postgres.ServerBinaries binaries = PostgresBinaries.locate(binDir);
        ThrowawayPostgres pg = ThrowawayPostgres.create(binaries, serverUser, workDirectory);
        try {
            a.target = "throwaway PostgreSQL " + binaries.version() + " in " + pg.directory();
            pg.initdb(locale, conf());
            pg.start(List.of(), startTimeout);
            a.target = pg.toString();
            for (String sql : prepareSql) {
                execute(pg, "postgres", sql);
            }
            long restoreStart = System.nanoTime();
            RestoreResult result;
            try {
                result = vault.restore(request(a.set, pg));
            } catch (IntegrityException e) {
                a.checks.add(DrillCheck.failed("integrity", "every object matches its recorded size and SHA-256",
                        e.getMessage()));
                return;
            } catch (PgVaultException e) {
                a.checks.add(integrityPassed(a.set));
                a.checks.add(DrillCheck.failed("restore", "the set restores", e.getMessage()));
                return;
            }
            String first = result.databases().isEmpty() ? "postgres" : result.databases().get(0);
            a.rto = Optional.of(Duration.ofNanos(pg.awaitAnswering(first, startTimeout) - restoreStart));
            a.checks.add(integrityPassed(a.set));
            a.checks.add(DrillCheck.of("restore", true, "the set restores", result.databases().size()
                    + " database(s) restored in " + seconds(result.duration()), String.join(", ",
                            result.databases())));
            result.warnings().forEach(w -> a.warnings.add("restore: " + w));
            a.checks.addAll(check(a.set, result.databases(), pg));
        } finally {
            teardown(pg, a);
        }
    }

    /**
     * pgBackRest restores the data directory itself (its own checksums are checked as it reads the repo); the
     * server is then started on it and must finish recovery (promote at a PITR target, or at the end of the archive).
     */
    private void drillPhysical(Attempt a) {
        io.pgvault.spi.postgres.ServerBinaries binaries = PostgresBinaries.locate(binDir);
        ThrowawayPostgres pg = ThrowawayPostgres.create(binaries, serverUser, workDirectory);
        try {
            a.target = "throwaway PostgreSQL " + binaries.version() + " in " + pg.directory()
                    + physical.describeTarget();
            long restoreStart = System.nanoTime();
            try {
                physical.restore(a.set, backupId.isPresent(), pg);
            } catch (PgVaultException e) {
                a.checks.add(DrillCheck.failed("restore", "pgbackrest restore succeeds", e.getMessage()));
                return;
            }
            Duration restored = Duration.ofNanos(System.nanoTime() - restoreStart);
            pg.start(List.of("archive_mode=off"), startTimeout);
            a.target = pg + physical.describeTarget();
            a.rto = Optional.of(Duration.ofNanos(pg.awaitAnswering("postgres", startTimeout) - restoreStart));
            a.checks.add(DrillCheck.of("restore", true, "pgbackrest restore succeeds and recovery ends",
                    "restored in " + seconds(restored) + ", answering after " + seconds(a.rto.get()), ""));
            List<String> databases = new ArrayList<>();
            try (Connection c = pg.jdbc("postgres"); Statement s = c.createStatement();
                    java.sql.ResultSet rs = s.executeQuery("SELECT datname FROM pg_catalog.pg_database"
                            + " WHERE datallowconn AND NOT datistemplate ORDER BY 1")) {
                while (rs.next()) {
                    databases.add(rs.getString(1));
                }
            } catch (SQLException e) {
                a.checks.add(DrillCheck.failed("connect", "the restored server lists its databases",
                        e.getMessage()));
                return;
            }
            a.checks.addAll(check(a.set, databases, pg));
        } finally {
            teardown(pg, a);
        }
    }

    private static void teardown(ThrowawayPostgres pg, Attempt a) {
        try {
            pg.close();
        } catch (RuntimeException e) {
            LOG.warn("could not remove the drill's throwaway server in {}: {}", pg.directory(), e.getMessage());
            a.warnings.add("teardown: " + e.getMessage());
        }
    }

    private static DrillCheck integrityPassed(BackupSet set) {
        return DrillCheck.of("integrity", true, "every object matches its recorded size and SHA-256",
                set.objects().size() + " object(s) verified", "");
    }

    private RestoreRequest request(BackupSet set, ThrowawayPostgres pg) {
        boolean globals = includeGlobals.orElseGet(() -> set.attribute("globals").map(Boolean::parseBoolean)
                .orElse(false));
        return RestoreRequest.builder().backupId(set.id()).target(pg.connection("postgres")).jobs(jobs)
                .includeGlobals(globals).verifyFirst(true).build();
    }

    private List<DrillCheck> check(BackupSet set, List<String> databases, ThrowawayPostgres pg) {
        List<DrillCheck> checks = new ArrayList<>();
        Optional<Map<String, Map<String, Long>>> recorded = rowCounts ? DrillChecks.recordedRowCounts(set)
                : Optional.empty();
        String noCounts = physical != null ? "a physical backup records no row counts" : set.attribute(
                "rowCountsSkipped").orElse("the set recorded no row counts (taken without"
                + " them, e.g. by a strategy or pgvault version that does not count)");
        for (String db : databases) {
            try (Connection c = pg.jdbc(db)) {
                if (rowCounts) {
                    Optional<Map<String, Long>> expected = recorded.map(r -> r.get(db));
                    checks.add(expected.isPresent() ? DrillChecks.rowCounts(db, expected.get(), c)
                            : DrillCheck.skipped("row counts " + db, noCounts));
                }
                if (amcheck) {
                    checks.add(DrillChecks.amcheck(db, heapAllIndexed, c));
                }
            } catch (SQLException e) {
                checks.add(DrillCheck.failed("connect " + db, "the restored database accepts connections",
                        e.getMessage()));
            }
        }
        List<String> candidates = databases.size() > 1 ? databases.stream().filter(d -> !d.equals("postgres"))
                .toList() : databases;
        for (SqlAssertion assertion : assertions) {
            checks.add(assertion(assertion, candidates, pg));
        }
        return checks;
    }

    private static DrillCheck assertion(SqlAssertion a, List<String> databases, ThrowawayPostgres pg) {
        Optional<String> db = a.database().or(() -> databases.size() == 1 ? Optional.of(databases.get(0))
                : Optional.empty());
        if (db.isEmpty()) {
            return DrillCheck.failed("assertion " + a.name(), a.expectation(), "the set restored " + databases
                    + ": name the database with SqlAssertion#in");
        }
        try (Connection c = pg.jdbc(db.get())) {
            return DrillChecks.assertion(a, c);
        } catch (SQLException e) {
            return DrillCheck.failed("assertion " + a.name(), a.expectation(), "cannot connect to " + db.get()
                    + ": " + e.getMessage());
        }
    }

    private DrillReport finish(Attempt a, Instant startedAt, Duration duration) {
        Instant finishedAt = startedAt.plus(duration);
        DrillReport report = a.report(startedAt, finishedAt, duration);
        if (a.set != null && record) {
            if (report.passed() && vault != null) {
                try {
                    vault.catalog().recordVerified(a.set.id(), finishedAt);
                } catch (PgVaultException e) {
                    a.warnings.add("could not record lastVerified in the catalog: " + e.getMessage());
                }
            }
            report = a.report(startedAt, finishedAt, duration);
            try {
                DrillRecords.write(records, report);
            } catch (PgVaultException e) {
                a.warnings.add("could not store the drill record: " + e.getMessage());
                report = a.report(startedAt, finishedAt, duration);
            }
        }
        if (report.passed()) {
            LOG.info("restore drill PASSED: set {}, RTO {}, {} checks in {}", report.setId().map(BackupId::value)
                    .orElse("-"), report.rto().map(RestoreDrill::seconds).orElse("-"), report.checks().size(),
                    seconds(duration));
        } else {
            LOG.warn("restore drill FAILED:\n{}", report.toText());
        }
        DrillCompleted event = new DrillCompleted(finishedAt, records != null ? records.id()
                : "pgbackrest:" + physical.stanza(), report);
        if (vault != null) {
            vault.events().on(event);
        }
        listeners.on(event);
        return report;
    }

    private List<String> conf() {
        List<String> conf = new ArrayList<>(List.of(
                "# pgvault restore drill: a throwaway server",
                "max_connections = " + Math.max(20, jobs + 10),
                "max_wal_size = 4GB",
                "maintenance_work_mem = 256MB",
                "lc_messages = 'C'",
                "log_min_messages = warning",
                "log_line_prefix = '%m [%p] '"));
        if (!durable) {
            conf.addAll(List.of("fsync = off", "synchronous_commit = off", "full_page_writes = off"));
        }
        conf.addAll(serverSettings);
        return conf;
    }

    private static void execute(ThrowawayPostgres pg, String database, String sql) {
        try (Connection c = pg.jdbc(database); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new ConfigurationException("prepare SQL failed on the drill server: " + e.getMessage());
        }
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /**
     * The newest drill recorded in a repository, passed or failed.
     *
     * @param repository where the drilled sets live
     * @return its record, if any drill was recorded
     * @since 0.2.0
     */
    public static Optional<DrillRecord> lastDrill(Repository repository) {
        List<DrillRecord> all = DrillRecords.list(repository);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * The newest drill that passed, for a health check's "age of the last successful drill".
     *
     * @param repository where the drilled sets live
     * @return its record, if any drill passed
     * @since 0.2.0
     */
    public static Optional<DrillRecord> lastPassedDrill(Repository repository) {
        return DrillRecords.list(repository).stream().filter(DrillRecord::passed)
                .reduce((older, newer) -> newer);
    }

    /**
     * @param repository where the drilled sets live
     * @return the latest drill of each set ever drilled, oldest first
     * @since 0.2.0
     */
    public static List<DrillRecord> drills(Repository repository) {
        return DrillRecords.list(repository);
    }

    @Override
    public String toString() {
        return "RestoreDrill[" + backupId.map(BackupId::value).orElse("newest") + " of "
                + (vault != null ? vault : "pgBackRest stanza " + physical.stanza() + physical.describeTarget()) + "]";
    }

    /** What one run found so far. */
    private final class Attempt {
        BackupSet set;
        String target = "(no server)";
        Optional<Duration> rto = Optional.empty();
        final List<DrillCheck> checks = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();

        DrillReport report(Instant startedAt, Instant finishedAt, Duration duration) {
            return new DrillReport(set == null ? Optional.empty() : Optional.of(set.id()),
                    set != null ? set.strategy() : vault != null ? vault.strategy().name() : "pgbackrest", set == null ? "" : set.source(), target,
                    checks, rto, duration, problems, warnings, startedAt, finishedAt);
        }
    }

    /**
     * Builds a {@link RestoreDrill}; {@link #build()} reports every problem at once.
     *
     * @since 0.2.0
     */
    public static final class Builder {
        private PgVault vault;
        private PgBackRest pgBackRest;
        private RestoreTarget pitrTarget;
        private TargetTimeline targetTimeline;
        private Integer repo;
        private Repository records;
        private BackupId backupId;
        private Path binDir;
        private String serverUser;
        private Path workDirectory = Path.of(System.getProperty("java.io.tmpdir"));
        private String locale = "C.UTF-8";
        private boolean durable;
        private final List<String> serverSettings = new ArrayList<>();
        private final List<String> prepareSql = new ArrayList<>();
        private Boolean includeGlobals;
        private int jobs = 1;
        private boolean rowCounts = true;
        private boolean amcheck = true;
        private boolean heapAllIndexed = true;
        private final List<SqlAssertion> assertions = new ArrayList<>();
        private Duration startTimeout = Duration.ofMinutes(5);
        private boolean record = true;
        private final List<VaultListener> listeners = new ArrayList<>();
        private Clock clock;

        private Builder() {
        }

        /**
         * @param vault the vault whose sets are drilled, with its strategy, repository and pipeline (required)
         * @return this
         * @since 0.2.0
         */
        public Builder vault(PgVault vault) {
            this.vault = vault;
            return this;
        }

        /**
         * @param pgBackRest drill this stanza's physical backups instead of a vault's sets: {@code pgbackrest
         *                   restore} into the throwaway server's data directory with {@code --archive-mode=off},
         *                   then the server is started and must finish recovery. pgBackRest keeps no pgvault catalog,
         *                   so {@code lastVerified} is not written; the drill record ({@link #records}, required) is
         *                   the proof
         * @return this
         * @since 0.2.0
         */
        public Builder pgBackRest(PgBackRest pgBackRest) {
            this.pgBackRest = pgBackRest;
            return this;
        }

        /**
         * @param target replay WAL to this point and promote ({@code --type=time|lsn|xid|name|immediate
         *               --target-action=promote}); only with {@link #pgBackRest}; default: the end of the archive
         * @return this
         * @since 0.2.0
         */
        public Builder pitrTarget(RestoreTarget target) {
            this.pitrTarget = target;
            return this;
        }

        /**
         * @param timeline the timeline recovery follows ({@code --target-timeline}); only with {@link #pgBackRest},
         *                 and not with an immediate {@link #pitrTarget}; default: PostgreSQL's ({@code latest} since
         *                 PostgreSQL 12). {@link TargetTimeline#current()} drills a set whose timeline a failover or
         *                 an earlier point-in-time restore has since left
         * @return this
         * @since 0.2.0
         */
        public Builder targetTimeline(TargetTimeline timeline) {
            this.targetTimeline = timeline;
            return this;
        }

        /**
         * @param repo the pgBackRest repo to restore from ({@code --repo}); default: pgBackRest tries them in order
         * @return this
         * @since 0.2.0
         */
        public Builder repo(int repo) {
            this.repo = repo;
            return this;
        }

        /**
         * @param repository where drill records ({@code drills/<set id>.json}) are kept; default the vault's
         *                   repository; required for {@link #pgBackRest} drills that record
         * @return this
         * @since 0.2.0
         */
        public Builder records(Repository repository) {
            this.records = repository;
            return this;
        }

        /**
         * @param id the set to drill; default the newest complete set of the vault's strategy
         * @return this
         * @since 0.2.0
         */
        public Builder backupId(BackupId id) {
            this.backupId = id;
            return this;
        }

        /**
         * @param dir directory of {@code initdb}, {@code pg_ctl}, {@code postgres} and the client tools; default
         *            {@code pg_config --bindir}, else the newest {@code /usr/lib/postgresql/N/bin}
         * @return this
         * @since 0.2.0
         */
        public Builder binDir(Path dir) {
            this.binDir = dir;
            return this;
        }

        /**
         * @param user OS user the throwaway server runs as; default {@code postgres} when this JVM is root (PostgreSQL
         *             refuses root), else this process's own user
         * @return this
         * @since 0.2.0
         */
        public Builder serverUser(String user) {
            this.serverUser = user;
            return this;
        }

        /**
         * @param dir where the throwaway server's private (0700) directory is made; it needs room for the restored
         *            database, and the server user must be able to enter it; when this JVM is not root and
         *            {@link #serverUser} is set, that user creates the directory itself (through {@code sudo}), so it
         *            must be able to write here (its own directory, or a sticky one such as {@code /tmp}); the drill
         *            is refused otherwise, never given a world-writable directory. Default {@code java.io.tmpdir}
         * @return this
         * @since 0.2.0
         */
        public Builder workDirectory(Path dir) {
            this.workDirectory = dir;
            return this;
        }

        /**
         * @param locale initdb {@code --locale} of the throwaway server; default {@code C.UTF-8}
         * @return this
         * @since 0.2.0
         */
        public Builder locale(String locale) {
            this.locale = locale;
            return this;
        }

        /**
         * @param durable run the throwaway server with {@code fsync} and full page writes as in production; default
         *                false (faster: the measured RTO is then a lower bound for a durable server)
         * @return this
         * @since 0.2.0
         */
        public Builder durable(boolean durable) {
            this.durable = durable;
            return this;
        }

        /**
         * @param line a postgresql.conf line for the throwaway server, e.g. {@code shared_buffers = 1GB}
         *             (repeatable; later lines win)
         * @return this
         * @since 0.2.0
         */
        public Builder serverSetting(String line) {
            serverSettings.add(Objects.requireNonNull(line, "line"));
            return this;
        }

        /**
         * @param sql SQL run in database {@code postgres} of the throwaway server before the restore, e.g.
         *            {@code CREATE ROLE app} for owners a set without globals refers to (repeatable)
         * @return this
         * @since 0.2.0
         */
        public Builder prepareSql(String sql) {
            prepareSql.add(Objects.requireNonNull(sql, "sql"));
            return this;
        }

        /**
         * @param include replay the set's recorded roles/tablespaces first; default: whenever the set has them
         * @return this
         * @since 0.2.0
         */
        public Builder includeGlobals(boolean include) {
            this.includeGlobals = include;
            return this;
        }

        /**
         * @param jobs parallel restore jobs (custom/directory dumps); default 1
         * @return this
         * @since 0.2.0
         */
        public Builder jobs(int jobs) {
            this.jobs = jobs;
            return this;
        }

        /**
         * @param check compare per-table row counts with those recorded at backup time; default true
         * @return this
         * @since 0.2.0
         */
        public Builder rowCounts(boolean check) {
            this.rowCounts = check;
            return this;
        }

        /**
         * @param check run amcheck's {@code bt_index_check} on every btree index where the extension is available;
         *              default true
         * @return this
         * @since 0.2.0
         */
        public Builder amcheck(boolean check) {
            this.amcheck = check;
            return this;
        }

        /**
         * @param heapAllIndexed also check that every heap tuple has its index entry ({@code heapallindexed});
         *                       default true (reads every table once more)
         * @return this
         * @since 0.2.0
         */
        public Builder heapAllIndexed(boolean heapAllIndexed) {
            this.heapAllIndexed = heapAllIndexed;
            return this;
        }

        /**
         * @param assertion a query the restored copy must satisfy (repeatable)
         * @return this
         * @since 0.2.0
         */
        public Builder assertion(SqlAssertion assertion) {
            assertions.add(Objects.requireNonNull(assertion, "assertion"));
            return this;
        }

        /**
         * @param timeout how long the throwaway server may take to start and, after a restore, to answer; default
         *                5 minutes
         * @return this
         * @since 0.2.0
         */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /**
         * @param record write {@code lastVerified} (on a pass) and the drill record into the repository; default true
         * @return this
         * @since 0.2.0
         */
        public Builder record(boolean record) {
            this.record = record;
            return this;
        }

        /**
         * @param listener told about {@link DrillCompleted} besides the vault's own listeners (repeatable)
         * @return this
         * @since 0.2.0
         */
        public Builder listener(VaultListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @param clock time source of the report and records; default the vault's clock
         * @return this
         * @since 0.2.0
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @return the drill
         * @throws ConfigurationException listing every problem found
         * @since 0.2.0
         */
        public RestoreDrill build() {
            List<String> problems = new ArrayList<>();
            if (!OptionalDependency.POSTGRESQL_JDBC.present()) { // the checks query the throwaway server over JDBC
                problems.add("restore drills need " + OptionalDependency.POSTGRESQL_JDBC.coordinates() + " on the "
                        + "class path; it is an optional dependency of pgvault-operations (since 0.6.0): add it");
            }
            if (vault == null && pgBackRest == null) {
                problems.add("a vault (logical sets) or a pgBackRest stanza (physical sets) is required");
            }
            if (vault != null && pgBackRest != null) {
                problems.add("drill either a vault's sets or a pgBackRest stanza's, not both");
            }
            if (pgBackRest == null && (pitrTarget != null || repo != null || targetTimeline != null)) {
                problems.add("pitrTarget, targetTimeline and repo apply only to pgBackRest drills");
            }
            if (targetTimeline != null && pitrTarget instanceof RestoreTarget.Immediate) {
                // found here rather than when the drill runs: PhysicalRestoreRequest refuses it too
                problems.add("targetTimeline cannot be combined with the immediate pitrTarget");
            }
            if (pgBackRest != null && record && records == null) {
                problems.add("a recording pgBackRest drill needs records(repository) for its drill records");
            }
            if (workDirectory == null) {
                problems.add("workDirectory must not be null");
            } else {
                problems.addAll(ThrowawayPostgres.checkWorkDirectory(workDirectory));
            }
            if (locale == null || !locale.matches("[A-Za-z0-9_.@-]+")) {
                problems.add("locale must be a locale name such as C.UTF-8, was " + locale);
            }
            if (jobs < 1 || jobs > 64) {
                problems.add("jobs must be 1..64, was " + jobs);
            }
            if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
                problems.add("startTimeout must be positive");
            }
            if (serverUser != null && (serverUser.isBlank() || serverUser.startsWith("-")
                    || serverUser.chars().anyMatch(Character::isWhitespace))) {
                problems.add("invalid serverUser '" + serverUser + "'");
            }
            if (binDir != null && !binDir.isAbsolute()) {
                problems.add("binDir must be absolute, was " + binDir);
            }
            for (String line : serverSettings) {
                if (line.contains("\n")) {
                    problems.add("a server setting must be one line: " + line);
                }
            }
            ConfigurationException.throwIfAny(problems);
            return new RestoreDrill(this);
        }
    }
}
