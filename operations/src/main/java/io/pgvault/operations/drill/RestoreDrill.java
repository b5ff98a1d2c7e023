package io.pgvault.operations.drill;

import io.pgvault.spi.Repository;

import java.util.List;
import java.util.Optional;

/**
 * Proves that a backup restores: restores a set into a PostgreSQL server made for the purpose, checks the copy,
 * records the outcome and removes the server again. Two kinds, over the same throwaway server, checks
 * ({@link DrillCheck}), report ({@link DrillReport}) and records ({@link DrillRecord}):
 * <ul>
 * <li>{@link LogicalDrill} drills a vault's logical (pg_dump) sets through {@code PgVault#restore};</li>
 * <li>{@link PhysicalDrill} drills a pgBackRest stanza's physical sets with {@code pgbackrest restore}, optionally to
 * a point in time.</li>
 * </ul>
 *
 * <pre>{@code
 * RestoreDrill drill = LogicalDrill.builder().vault(vault)
 *         .assertion(SqlAssertion.isTrue("orders exist", "SELECT count(*) > 0 FROM shop.orders"))
 *         .build();
 * DrillReport report = drill.run();                        // or scheduler.schedule(..., drill::run)
 * System.out.println(report.toText());
 * }</pre>
 *
 * Until 0.6.0 this was one class whose builder took either kind's options and refused the other kind's when built;
 * {@code RestoreDrill.builder().vault(v)} is now {@code LogicalDrill.builder().vault(v)} and
 * {@code RestoreDrill.builder().pgBackRest(p)} is {@code PhysicalDrill.builder().pgBackRest(p)}.
 *
 * @since 0.2.0
 */
public interface RestoreDrill {

    /**
     * Runs the drill once. Safe to call from a scheduler ({@code drill::run} is a {@link Runnable} and a
     * {@link java.util.concurrent.Callable}); concurrent runs each get their own server.
     *
     * @return what was restored and checked; {@link DrillReport#passed()} says whether the backup proved restorable.
     *         A failed drill is the report's content, not an exception
     * @since 0.2.0
     */
    DrillReport run();

    /**
     * The newest drill recorded in a repository, passed or failed.
     *
     * @param repository where the drill records are kept (a vault's repository by default)
     * @return its record, if any drill was recorded
     * @since 0.2.0
     */
    static Optional<DrillRecord> lastDrill(Repository repository) {
        List<DrillRecord> all = DrillRecords.list(repository);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * The newest drill that passed, for a health check's "age of the last successful drill".
     *
     * @param repository where the drill records are kept
     * @return its record, if any drill passed
     * @since 0.2.0
     */
    static Optional<DrillRecord> lastPassedDrill(Repository repository) {
        return DrillRecords.list(repository).stream().filter(DrillRecord::passed).reduce((older, newer) -> newer);
    }

    /**
     * @param repository where the drill records are kept
     * @return the latest drill of each set ever drilled, oldest first
     * @since 0.2.0
     */
    static List<DrillRecord> drills(Repository repository) {
        return DrillRecords.list(repository);
    }
}
