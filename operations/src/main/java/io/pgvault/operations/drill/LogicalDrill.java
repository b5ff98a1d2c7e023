package io.pgvault.operations.drill;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.PgVault;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.RestoreResult;
import io.pgvault.api.UnauthenticatedSetException;
import io.pgvault.api.event.VaultListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Proves that a vault's logical sets restore: restores a set (pg_dump) into a PostgreSQL server made for the purpose,
 * checks the copy, records the outcome and removes the server again.
 *
 * <pre>{@code
 * LogicalDrill drill = LogicalDrill.builder()
 *         .vault(vault)                                    // a PgVault with PgDumpStrategy
 *         .assertion(SqlAssertion.isTrue("orders exist", "SELECT count(*) > 0 FROM shop.orders"))
 *         .build();
 * DrillReport report = drill.run();                        // or scheduler.schedule(..., drill::run)
 * System.out.println(report.toText());
 * }</pre>
 *
 * <h2>What a drill does</h2>
 * <ol>
 * <li>Chooses the set: {@link DrillBuilder#backupId} or the vault's newest complete set. An unauthenticated set is
 * refused before any server starts, unless the vault accepts unauthenticated sets.</li>
 * <li>Creates a throwaway server: {@code initdb} into a private (0700) directory under
 * {@link DrillBuilder#workDirectory}, started with {@code pg_ctl} on a free port of 127.0.0.1 and a 0700 socket,
 * SCRAM authentication with a random password made for this drill, as {@link DrillBuilder#serverUser} (PostgreSQL
 * refuses root).</li>
 * <li>Restores through {@link PgVault#restore} with the throwaway server as target; the stored checksums of every
 * object are verified first, so a damaged set fails as {@code integrity} before anything is restored.</li>
 * <li>Measures the RTO: from the start of the restore until the restored server answers a query.</li>
 * <li>Checks: per restored database the exact row count of every table against the counts the set recorded at backup
 * time; {@code amcheck}'s {@code bt_index_check} on every btree index, where the extension is available; each
 * {@link SqlAssertion}.</li>
 * <li>Stops the server and removes its directory, whatever happened.</li>
 * <li>Records: on a pass the set's {@code lastVerified} in the catalog; in any case the report as
 * {@code drills/<set id>.json} in the repository (read back with {@link RestoreDrill#lastDrill}); emits
 * {@link DrillCompleted} to the vault's listeners and the drill's own.</li>
 * </ol>
 * {@link #run()} does not throw for a failed drill: the failure is the report's content.
 *
 * @since 0.6.0
 */
public final class LogicalDrill implements RestoreDrill {
    private static final Logger LOG = LoggerFactory.getLogger(LogicalDrill.class);

    private final PgVault vault;
    private final DrillSettings settings;
    private final String locale;
    private final boolean durable;
    private final List<String> serverSettings;
    private final List<String> prepareSql;
    private final Optional<Boolean> includeGlobals;
    private final int jobs;
    private final boolean rowCounts;

    private LogicalDrill(Builder b) {
        this.vault = b.vault;
        this.settings = b.settings(b.vault.repository(), b.vault.clock());
        this.locale = b.locale;
        this.durable = b.durable;
        this.serverSettings = List.copyOf(b.serverSettings);
        this.prepareSql = List.copyOf(b.prepareSql);
        this.includeGlobals = Optional.ofNullable(b.includeGlobals);
        this.jobs = b.jobs;
        this.rowCounts = b.rowCounts;
    }

    /**
     * @return a builder
     * @since 0.6.0
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public DrillReport run() {
        DrillRun run = new DrillRun(settings, vault.strategy().name());
        return run.attempt(() -> {
            run.set = settings.backupId().map(id -> vault.find(id).orElseThrow(() -> new NotFoundException(
                    "no backup set " + id + " in " + vault.repository().id()))).orElseGet(() -> vault.latest()
                    .orElseThrow(() -> new NotFoundException("no complete backup set of strategy "
                            + vault.strategy().name() + " in " + vault.repository().id() + " to drill")));
            if (!run.set.authenticity().proven() && !vault.acceptsUnauthenticated()) {
                // refused before any server starts or any object is read: a forged set never reaches a tool
                throw new UnauthenticatedSetException(run.set, vault.repository().id(), "drilled");
            }
            LOG.info("restore drill of set {} ({}) started", run.set.id(), run.set.strategy());
            drill(run);
        }).finish(at -> vault.catalog().recordVerified(run.set.id(), at), settings.records().orElseThrow().id(),
                Optional.<VaultListener>of(vault.events()));
    }

    private void drill(DrillRun run) {
        ThrowawayPostgres pg = run.createServer();
        try {
            run.target = "throwaway PostgreSQL " + pg.binaries().version() + " in " + pg.directory();
            pg.initdb(locale, conf());
            pg.start(List.of(), settings.startTimeout());
            run.target = pg.toString();
            for (String sql : prepareSql) {
                execute(pg, "postgres", sql);
            }
            try { // refused before anything of the set is read: integrity was not checked, and is not reported
                vault.checkRestore(request(run.set, pg));
            } catch (PgVaultException e) {
                run.checks.add(DrillCheck.skipped("integrity", "not checked: the restore was refused before the set"
                        + " was read"));
                run.checks.add(DrillCheck.failed("restore", "the set restores", "refused before the set was read: "
                        + e.getMessage()));
                return;
            }
            long restoreStart = System.nanoTime();
            RestoreResult result;
            try {
                result = vault.restore(request(run.set, pg));
            } catch (IntegrityException e) {
                run.checks.add(DrillCheck.failed("integrity", "every object matches its recorded size and SHA-256",
                        e.getMessage()));
                return;
            } catch (PgVaultException e) {
                run.checks.add(integrityPassed(run.set));
                run.checks.add(DrillCheck.failed("restore", "the set restores", e.getMessage()));
                return;
            }
            String first = result.databases().isEmpty() ? "postgres" : result.databases().get(0);
            run.rto = Optional.of(Duration.ofNanos(pg.awaitAnswering(first, settings.startTimeout())
                    - restoreStart));
            run.checks.add(integrityPassed(run.set));
            run.checks.add(DrillCheck.of("restore", true, "the set restores", result.databases().size()
                    + " database(s) restored in " + DrillRun.seconds(result.duration()), String.join(", ",
                            result.databases())));
            result.warnings().forEach(w -> run.warnings.add("restore: " + w));
            run.check(result.databases(), pg, rowCounts ? DrillChecks.recordedRowCounts(run.set) : Optional.empty(),
                    rowCounts ? Optional.of(run.set.attribute("rowCountsSkipped").orElse("the set recorded no row"
                            + " counts (taken without them, e.g. by a strategy or pgvault version that does not"
                            + " count)")) : Optional.empty());
        } finally {
            run.teardown(pg);
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

    @Override
    public String toString() {
        return "LogicalDrill[" + settings.backupId().map(id -> id.value()).orElse("newest") + " of " + vault + "]";
    }

    /**
     * Builds a {@link LogicalDrill}; {@link #build()} reports every problem at once.
     *
     * @since 0.6.0
     */
    public static final class Builder extends DrillBuilder<Builder> {
        private PgVault vault;
        private String locale = "C.UTF-8";
        private boolean durable;
        private final List<String> serverSettings = new ArrayList<>();
        private final List<String> prepareSql = new ArrayList<>();
        private Boolean includeGlobals;
        private int jobs = 1;
        private boolean rowCounts = true;

        private Builder() {
        }

        /**
         * @param vault the vault whose sets are drilled, with its strategy, repository and pipeline (required); its
         *              repository keeps the drill records unless {@link #records} says otherwise
         * @return this
         * @since 0.6.0
         */
        public Builder vault(PgVault vault) {
            this.vault = vault;
            return this;
        }

        /**
         * @param locale initdb {@code --locale} of the throwaway server; default {@code C.UTF-8}
         * @return this
         * @since 0.6.0
         */
        public Builder locale(String locale) {
            this.locale = locale;
            return this;
        }

        /**
         * @param durable run the throwaway server with {@code fsync} and full page writes as in production; default
         *                false (faster: the measured RTO is then a lower bound for a durable server)
         * @return this
         * @since 0.6.0
         */
        public Builder durable(boolean durable) {
            this.durable = durable;
            return this;
        }

        /**
         * @param line a postgresql.conf line for the throwaway server, e.g. {@code shared_buffers = 1GB}
         *             (repeatable; later lines win)
         * @return this
         * @since 0.6.0
         */
        public Builder serverSetting(String line) {
            serverSettings.add(Objects.requireNonNull(line, "line"));
            return this;
        }

        /**
         * @param sql SQL run in database {@code postgres} of the throwaway server before the restore, e.g.
         *            {@code CREATE ROLE app} for owners a set without globals refers to (repeatable)
         * @return this
         * @since 0.6.0
         */
        public Builder prepareSql(String sql) {
            prepareSql.add(Objects.requireNonNull(sql, "sql"));
            return this;
        }

        /**
         * @param include replay the set's recorded roles/tablespaces first; default: whenever the set has them
         * @return this
         * @since 0.6.0
         */
        public Builder includeGlobals(boolean include) {
            this.includeGlobals = include;
            return this;
        }

        /**
         * @param jobs parallel restore jobs (custom/directory dumps); default 1
         * @return this
         * @since 0.6.0
         */
        public Builder jobs(int jobs) {
            this.jobs = jobs;
            return this;
        }

        /**
         * @param check compare per-table row counts with those recorded at backup time; default true
         * @return this
         * @since 0.6.0
         */
        public Builder rowCounts(boolean check) {
            this.rowCounts = check;
            return this;
        }

        /**
         * @return the drill
         * @throws ConfigurationException listing every problem found
         * @since 0.6.0
         */
        public LogicalDrill build() {
            List<String> problems = commonProblems();
            if (vault == null) {
                problems.add("a vault is required (its logical sets are drilled; a pgBackRest stanza's are drilled"
                        + " by PhysicalDrill)");
            }
            if (locale == null || !locale.matches("[A-Za-z0-9_.@-]+")) {
                problems.add("locale must be a locale name such as C.UTF-8, was " + locale);
            }
            if (jobs < 1 || jobs > 64) {
                problems.add("jobs must be 1..64, was " + jobs);
            }
            for (String line : serverSettings) {
                if (line.contains("\n")) {
                    problems.add("a server setting must be one line: " + line);
                }
            }
            ConfigurationException.throwIfAny(problems);
            return new LogicalDrill(this);
        }
    }
}
