package io.pgvault.operations.drill;

import io.pgvault.testkit.MatrixPair;

/**
 * {@link PgBackRestDrillIT} (a PITR drill with assertions, recorded; a drill of an unknown set) on PostgreSQL 17 and
 * pgBackRest 2.55.1: the throwaway server runs the restored 17 data directory with the 17 server binaries.
 */
class PgBackRestDrillPg17IT extends PgBackRestDrillIT {
    @Override
    MatrixPair pair() {
        return MatrixPair.PG17_PGBR2551;
    }
}
