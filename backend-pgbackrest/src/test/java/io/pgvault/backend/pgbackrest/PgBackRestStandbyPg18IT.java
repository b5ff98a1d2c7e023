package io.pgvault.backend.pgbackrest;

import io.pgvault.testkit.MatrixPair;

/** {@link PgBackRestStandbyIT} on PostgreSQL 18 and the newest pgBackRest (2.59 or later), both Debian testing's. */
class PgBackRestStandbyPg18IT extends PgBackRestStandbyIT {
    @Override
    MatrixPair pair() {
        return MatrixPair.PG18_PGBR_NEWEST;
    }
}
