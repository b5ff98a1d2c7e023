package io.pgvault.backend.pgbackrest;

import io.pgvault.testkit.MatrixPair;

/**
 * {@link PgBackRestRetentionIT} (GFS and count retention through {@code expire --set}, a restore of what is left, an
 * in-place delta restore, {@code verify} finding a damaged file, stored bytes from {@code info}) on PostgreSQL 17 and
 * pgBackRest 2.55.1.
 */
class PgBackRestRetentionPg17IT extends PgBackRestRetentionIT {
    @Override
    MatrixPair pair() {
        return MatrixPair.PG17_PGBR2551;
    }
}
