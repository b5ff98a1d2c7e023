package io.pgvault.operations.drill;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.event.EventDispatcher;
import io.pgvault.api.event.VaultListener;
import io.pgvault.spi.postgres.ServerBinaries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One run of a drill, whatever its kind: the throwaway server's life, the checks every restored database gets (row
 * counts where the set recorded them, amcheck, the {@link SqlAssertion}s), and the report, record and event at the
 * end. {@link LogicalDrill} and {@link PhysicalDrill} choose the set and restore it; the rest is here.
 */
final class DrillRun {
    private static final Logger LOG = LoggerFactory.getLogger(DrillRun.class);

    private final DrillSettings settings;
    private final String kind;
    private final Instant startedAt;
    private final long t0 = System.nanoTime();
    BackupSet set;
    String target = "(no server)";
    Optional<Duration> rto = Optional.empty();
    final List<DrillCheck> checks = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();

    /**
     * @param settings the drill's settings
     * @param kind     the strategy named in a report that found no set, e.g. {@code pgdump}
     */
    DrillRun(DrillSettings settings, String kind) {
        this.settings = settings;
        this.kind = kind;
        this.startedAt = settings.clock().instant();
    }

    /** Runs a drill's body; a failure becomes a problem of the report, never an exception. */
    DrillRun attempt(Runnable body) {
        try {
            body.run();
        } catch (PgVaultException | IllegalArgumentException e) {
            problems.add(e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("restore drill failed unexpectedly", e);
            problems.add("unexpected failure: " + e);
        }
        return this;
    }

    /** @return a new throwaway server (not initialised, not started) for this drill */
    ThrowawayPostgres createServer() {
        return createServer(PostgresBinaries.locate(settings.binDir()));
    }

    /** @return a new throwaway server (not initialised, not started) running these binaries */
    ThrowawayPostgres createServer(ServerBinaries binaries) {
        // a drill whose JVM was killed left its server running on a copy of the data: stop it and remove it first
        for (java.nio.file.Path left : ThrowawayPostgres.sweepLeftovers(settings.serverUser(),
                settings.workDirectory())) {
            warnings.add("removed " + left + ", the server of a drill whose process was killed (stopped first if it"
                    + " still ran)");
        }
        return ThrowawayPostgres.create(binaries, settings.serverUser(), settings.workDirectory());
    }

    /** Stops and removes the server; trouble doing so is a warning, not a failure. */
    void teardown(ThrowawayPostgres pg) {
        try {
            pg.close();
        } catch (RuntimeException e) {
            LOG.warn("could not remove the drill's throwaway server in {}: {}", pg.directory(), e.getMessage());
            warnings.add("teardown: " + e.getMessage());
        }
    }

    /**
     * Checks every restored database and runs the assertions.
     *
     * @param databases the restored databases
     * @param counts    the row counts the set recorded per database, when they are to be compared
     * @param noCounts  why row counts are skipped when {@code counts} is empty; empty to not mention them at all
     */
    void check(List<String> databases, ThrowawayPostgres pg, Optional<Map<String, Map<String, Long>>> counts,
            Optional<String> noCounts) {
        for (String db : databases) {
            try (Connection c = pg.jdbc(db)) {
                Optional<Map<String, Long>> expected = counts.map(r -> r.get(db));
                if (expected.isPresent()) {
                    checks.add(DrillChecks.rowCounts(db, expected.get(), c));
                } else {
                    noCounts.ifPresent(why -> checks.add(DrillCheck.skipped("row counts " + db, why)));
                }
                if (settings.amcheck()) {
                    checks.add(DrillChecks.amcheck(db, settings.heapAllIndexed(), c));
                }
            } catch (SQLException e) {
                checks.add(DrillCheck.failed("connect " + db, "the restored database accepts connections",
                        e.getMessage()));
            }
        }
        List<String> candidates = databases.size() > 1 ? databases.stream().filter(d -> !d.equals("postgres"))
                .toList() : databases;
        for (SqlAssertion assertion : settings.assertions()) {
            checks.add(assertion(assertion, candidates, pg));
        }
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

    /**
     * Ends the run: records the outcome (when recording), logs it once and tells the listeners.
     *
     * @param onPass   what else a passing drill records, e.g. the set's {@code lastVerified}; may throw
     * @param location the repository (or stanza) the set lives in, for the event
     * @param also     a further listener, e.g. the vault's
     * @return the report
     */
    DrillReport finish(Consumer<Instant> onPass, String location, Optional<VaultListener> also) {
        Duration duration = Duration.ofNanos(System.nanoTime() - t0);
        Instant finishedAt = startedAt.plus(duration);
        DrillReport report = report(finishedAt, duration);
        if (set != null && settings.record()) {
            if (report.passed()) {
                try {
                    onPass.accept(finishedAt);
                } catch (PgVaultException e) {
                    warnings.add("could not record lastVerified in the catalog: " + e.getMessage());
                }
            }
            report = report(finishedAt, duration);
            try {
                DrillRecords.write(settings.records().orElseThrow(), report);
            } catch (PgVaultException e) {
                warnings.add("could not store the drill record: " + e.getMessage());
                report = report(finishedAt, duration);
            }
        }
        if (report.passed()) {
            LOG.info("restore drill PASSED: set {}, RTO {}, {} checks in {}", report.setId().map(BackupId::value)
                    .orElse("-"), report.rto().map(DrillRun::seconds).orElse("-"), report.checks().size(),
                    seconds(duration));
        } else {
            LOG.warn("restore drill FAILED:\n{}", report.toText());
        }
        DrillCompleted event = new DrillCompleted(finishedAt, location, report);
        also.ifPresent(l -> l.on(event));
        EventDispatcher.of(settings.listeners()).on(event);
        return report;
    }

    private DrillReport report(Instant finishedAt, Duration duration) {
        return new DrillReport(set == null ? Optional.empty() : Optional.of(set.id()),
                set != null ? set.strategy() : kind, set == null ? "" : set.source(), target, checks, rto, duration,
                problems, warnings, startedAt, finishedAt);
    }

    static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
