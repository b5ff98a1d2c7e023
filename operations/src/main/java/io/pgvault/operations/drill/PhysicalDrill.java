package io.pgvault.operations.drill;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgVaultException;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestBackup;
import io.pgvault.backend.pgbackrest.RestoreTarget;
import io.pgvault.backend.pgbackrest.TargetTimeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Proves that a pgBackRest stanza's physical backups restore: {@code pgbackrest restore} into the data directory of a
 * throwaway server with {@code --archive-mode=off} (the copy never archives into the stanza's repos), then the server
 * is started and must finish recovery (promoting at a point-in-time target, or at the end of the archive); then the
 * same checks as a {@link LogicalDrill} on every database (amcheck, {@link SqlAssertion}s; a physical backup records
 * no row counts), the record, and the removal of the server.
 *
 * <pre>{@code
 * PhysicalDrill drill = PhysicalDrill.builder()
 *         .pgBackRest(pgbr)                                // the stanza's PgBackRest
 *         .records(LocalRepository.at(Path.of("/var/lib/pgvault/drills")))
 *         .pitrTarget(RestoreTarget.time(Instant.parse("2026-05-04T03:00:00Z")))
 *         .build();
 * DrillReport report = drill.run();
 * }</pre>
 *
 * pgBackRest keeps no pgvault catalog, so no {@code lastVerified} is written: the drill record is the proof, and
 * {@link DrillBuilder#records} is required when recording. {@link #run()} does not throw for a failed drill.
 *
 * @since 0.6.0
 */
public final class PhysicalDrill implements RestoreDrill {
    private static final Logger LOG = LoggerFactory.getLogger(PhysicalDrill.class);

    private final PgBackRestDrill pgbr;
    private final DrillSettings settings;

    private PhysicalDrill(Builder b) {
        this.pgbr = new PgBackRestDrill(b.pgBackRest, Optional.ofNullable(b.pitrTarget),
                Optional.ofNullable(b.targetTimeline), b.repo == null ? OptionalInt.empty() : OptionalInt.of(b.repo));
        this.settings = b.settings(null, Clock.systemUTC());
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
        DrillRun run = new DrillRun(settings, "pgbackrest");
        return run.attempt(() -> {
            run.set = pgbr.choose(settings.backupId());
            LOG.info("restore drill of pgBackRest set {}{} started", run.set.id().value(), pgbr.describeTarget());
            drill(run);
        }).finish(at -> { }, settings.records().map(r -> r.id()).orElse("pgbackrest:" + pgbr.stanza()),
                Optional.empty());
    }

    private void drill(DrillRun run) {
        // a physical set starts only on its own major version: the stanza's binaries, else an installed match
        ThrowawayPostgres pg = run.createServer(PostgresBinaries.locateMajor(settings.binDir(),
                pgbr.clusterBinDir().stream().toList(), majorOf(run.set)));
        try {
            run.target = "throwaway PostgreSQL " + pg.binaries().version() + " in " + pg.directory()
                    + pgbr.describeTarget();
            long restoreStart = System.nanoTime();
            try {
                pgbr.restore(run.set, settings.backupId().isPresent(), pg);
            } catch (PgVaultException e) {
                run.checks.add(DrillCheck.failed("restore", "pgbackrest restore succeeds", e.getMessage()));
                return;
            }
            Duration restored = Duration.ofNanos(System.nanoTime() - restoreStart);
            long answered = pg.startRestored(List.of("archive_mode=off"), settings.startTimeout(),
                    List.of(pgbr.clusterUser()));
            run.target = pg + pgbr.describeTarget();
            run.rto = Optional.of(Duration.ofNanos(answered - restoreStart));
            run.checks.add(DrillCheck.of("restore", true, "pgbackrest restore succeeds and recovery ends",
                    "restored in " + DrillRun.seconds(restored) + ", answering after "
                            + DrillRun.seconds(run.rto.get()), ""));
            List<String> databases = new ArrayList<>();
            try (Connection c = pg.jdbc("postgres"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT datname FROM pg_catalog.pg_database"
                            + " WHERE datallowconn AND NOT datistemplate ORDER BY 1")) {
                while (rs.next()) {
                    databases.add(rs.getString(1));
                }
            } catch (SQLException e) {
                run.checks.add(DrillCheck.failed("connect", "the restored server lists its databases",
                        e.getMessage()));
                return;
            }
            run.check(databases, pg, Optional.empty(), Optional.of("a physical backup records no row counts"));
        } finally {
            run.teardown(pg);
        }
    }

    /** @return the PostgreSQL major version pgBackRest recorded for the set ({@code 17}, or {@code 9.6} → 9) */
    static OptionalInt majorOf(BackupSet set) {
        return set.attribute(PgBackRestBackup.PG_VERSION).filter(v -> v.matches("\\d+(\\.\\d+)?"))
                .map(v -> OptionalInt.of(Integer.parseInt(v.split("\\.")[0]))).orElse(OptionalInt.empty());
    }

    @Override
    public String toString() {
        return "PhysicalDrill[" + settings.backupId().map(id -> id.value()).orElse("newest") + " of pgBackRest stanza "
                + pgbr.stanza() + pgbr.describeTarget() + "]";
    }

    /**
     * Builds a {@link PhysicalDrill}; {@link #build()} reports every problem at once.
     *
     * @since 0.6.0
     */
    public static final class Builder extends DrillBuilder<Builder> {
        private PgBackRest pgBackRest;
        private RestoreTarget pitrTarget;
        private TargetTimeline targetTimeline;
        private Integer repo;

        private Builder() {
        }

        /**
         * @param pgBackRest the stanza whose backups are drilled (required)
         * @return this
         * @since 0.6.0
         */
        public Builder pgBackRest(PgBackRest pgBackRest) {
            this.pgBackRest = pgBackRest;
            return this;
        }

        /**
         * @param target replay WAL to this point and promote ({@code --type=time|lsn|xid|name|immediate
         *               --target-action=promote}); default: the end of the archive
         * @return this
         * @since 0.6.0
         */
        public Builder pitrTarget(RestoreTarget target) {
            this.pitrTarget = target;
            return this;
        }

        /**
         * @param timeline the timeline recovery follows ({@code --target-timeline}); not with an immediate
         *                 {@link #pitrTarget}; default: PostgreSQL's ({@code latest} since PostgreSQL 12).
         *                 {@link TargetTimeline#current()} drills a set whose timeline a failover or an earlier
         *                 point-in-time restore has since left
         * @return this
         * @since 0.6.0
         */
        public Builder targetTimeline(TargetTimeline timeline) {
            this.targetTimeline = timeline;
            return this;
        }

        /**
         * @param repo the pgBackRest repo to restore from ({@code --repo}); default: pgBackRest tries them in order
         * @return this
         * @since 0.6.0
         */
        public Builder repo(int repo) {
            this.repo = repo;
            return this;
        }

        /**
         * @return the drill
         * @throws ConfigurationException listing every problem found
         * @since 0.6.0
         */
        public PhysicalDrill build() {
            List<String> problems = commonProblems();
            if (pgBackRest == null) {
                problems.add("a pgBackRest stanza is required (a vault's logical sets are drilled by LogicalDrill)");
            }
            if (targetTimeline != null && pitrTarget instanceof RestoreTarget.Immediate) {
                // found here rather than when the drill runs: PhysicalRestoreRequest refuses it too
                problems.add("targetTimeline cannot be combined with the immediate pitrTarget");
            }
            if (record && records == null) {
                problems.add("a recording pgBackRest drill needs records(repository) for its drill records");
            }
            ConfigurationException.throwIfAny(problems);
            return new PhysicalDrill(this);
        }
    }
}
