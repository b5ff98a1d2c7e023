package io.pgvault.backend.pgbackrest;

import io.pgvault.testkit.MatrixPair;

/**
 * {@link PgBackRestRetentionIT} (GFS and count retention through {@code expire --set}, a restore of what is left, an
 * in-place delta restore, {@code verify} finding a damaged file, stored bytes from {@code info}) on PostgreSQL 18 and
 * the newest pgBackRest (2.59 or later).
 */
class PgBackRestRetentionPg18IT extends PgBackRestRetentionIT {
    @Override
    MatrixPair pair() {
        return MatrixPair.PG18_PGBR_NEWEST;
    }
}
