package io.pgvault.backend.pgbackrest;

import io.pgvault.testkit.MatrixPair;

/**
 * {@link PgBackRestRestoreIT}'s whole plan (PITR 1000/0, time/name/LSN/xid/immediate/latest targets, full/diff/incr
 * chain and delta, two repos, a paused copy, a busy port) on PostgreSQL 17 and pgBackRest 2.55.1.
 */
class PgBackRestRestorePg17IT extends PgBackRestRestoreIT {
    @Override
    MatrixPair pair() {
        return MatrixPair.PG17_PGBR2551;
    }
}
