package io.pgvault.backend.pgbackrest;

import io.pgvault.testkit.MatrixPair;

/**
 * {@link PgBackRestRestoreIT}'s PITR 1000/0 plan on PostgreSQL 16 and pgBackRest 2.55.1; the rest of that class is
 * skipped (it runs on 15 and 17).
 */
class PgBackRestRestorePg16IT extends PgBackRestRestoreIT {
    @Override
    MatrixPair pair() {
        return MatrixPair.PG16_PGBR2551;
    }

    @Override
    boolean pitrOnly() {
        return true;
    }
}
