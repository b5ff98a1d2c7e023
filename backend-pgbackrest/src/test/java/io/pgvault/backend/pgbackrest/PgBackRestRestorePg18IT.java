package io.pgvault.backend.pgbackrest;

import io.pgvault.testkit.MatrixPair;

/**
 * {@link PgBackRestRestoreIT}'s whole plan (PITR 1000/0, time/name/LSN/xid/immediate/latest targets, full/diff/incr
 * chain and delta, two repos, a paused copy, a busy port) on PostgreSQL 18 and the newest pgBackRest (2.59 or later),
 * both Debian testing's.
 */
class PgBackRestRestorePg18IT extends PgBackRestRestoreIT {
    @Override
    MatrixPair pair() {
        return MatrixPair.PG18_PGBR_NEWEST;
    }
}
