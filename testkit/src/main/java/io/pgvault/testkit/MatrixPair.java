package io.pgvault.testkit;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One cell of the version matrix the physical integration tests run on: a PostgreSQL server major version and a
 * pgBackRest build. PostgreSQL 15 is Debian 12's; 16 is the server-only build {@code scripts/install-packages} extracts
 * from a zonky jar (its clients are the system's 15); 17 (Debian 13's) and 18 (Debian testing's) are whole package
 * trees with their clients, which the same script extracts and wraps to run with their suite's C library. pgBackRest
 * 2.45 is the system's, 2.55.1 Debian 13's, and the newest (2.59 or later) Debian testing's, extracted by the same
 * script.
 *
 * @param postgresMajor the server's major version
 * @param pgBackRest    the pgBackRest version, {@link #SYSTEM_PGBACKREST}, {@link PgBackRestBinaries#V2_55} or
 *                      {@link PgBackRestBinaries#V2_59_OR_LATER}
 */
public record MatrixPair(int postgresMajor, String pgBackRest) {
    /** The system's pgBackRest, Debian 12's. */
    public static final String SYSTEM_PGBACKREST = "2.45";
    /** The pair every physical test runs on. */
    public static final MatrixPair PG15_PGBR245 = new MatrixPair(15, SYSTEM_PGBACKREST);
    /** The current pair: PostgreSQL 17 and pgBackRest 2.55.1. */
    public static final MatrixPair PG17_PGBR2551 = new MatrixPair(17, PgBackRestBinaries.V2_55);
    /** PostgreSQL 16 with pgBackRest 2.55.1 (2.45 predates PostgreSQL 16 support). */
    public static final MatrixPair PG16_PGBR2551 = new MatrixPair(16, PgBackRestBinaries.V2_55);
    /**
     * PostgreSQL 18 with the newest pgBackRest (2.59 or later; 2.55 predates PostgreSQL 18 support), both from
     * Debian's testing suite.
     *
     * @since 0.6.0
     */
    public static final MatrixPair PG18_PGBR_NEWEST = new MatrixPair(18, PgBackRestBinaries.V2_59_OR_LATER);

    /**
     * Skips the calling test (class) with the reason when this pair's PostgreSQL server binaries are not installed,
     * or its pgBackRest is the newest and Debian's testing suite could not provide it (scripts/install-packages warns
     * and goes on then: that suite moves); pgBackRest 2.55.1 missing fails instead
     * ({@link PgBackRestBinaries#pgbackrest255()}), as before.
     */
    public void assumeInstalled() {
        Optional<String> why = PostgresCluster.whyUnavailable(postgresMajor);
        assumeTrue(why.isEmpty(), () -> this + ": " + why.orElse("") + " (scripts/install-packages installs them)");
        if (PgBackRestBinaries.V2_59_OR_LATER.equals(pgBackRest)) {
            Optional<String> missing = PgBackRestBinaries.whyNewestUnavailable();
            assumeTrue(missing.isEmpty(), () -> this + ": " + missing.orElse(""));
        }
    }

    /**
     * @param base a directory the server's user can traverse (a fixture's)
     * @return the pgbackrest program to configure, empty for the system's
     */
    public Optional<String> executable(Path base) {
        if (SYSTEM_PGBACKREST.equals(pgBackRest)) {
            return Optional.empty();
        }
        if (PgBackRestBinaries.V2_59_OR_LATER.equals(pgBackRest)) {
            return Optional.of(PgBackRestBinaries.runnableTreeCopy(PgBackRestBinaries.pgbackrestNewest()).toString());
        }
        return Optional.of(PgBackRestBinaries.runnableCopy(PgBackRestBinaries.pgbackrest255(), base).toString());
    }

    /** @return a cluster builder for this pair's server */
    public PostgresCluster.Builder cluster() {
        return PostgresCluster.builder().requireMajorVersion(postgresMajor);
    }

    @Override
    public String toString() {
        return "PostgreSQL " + postgresMajor + " + pgBackRest " + pgBackRest;
    }
}
