package io.pgvault.backend.pgbackrest;

import io.pgvault.testkit.MatrixPair;

/**
 * {@link PgBackRestS3IT}'s plan (a posix and an encrypted S3 repo over TLS, restores from each, an unreachable port, the
 * server going down mid-backup) on PostgreSQL 18 and the newest pgBackRest (2.59 or later, whose TLS is stricter).
 */
class PgBackRestS3Pg18IT extends PgBackRestS3IT {
    @Override
    MatrixPair pair() {
        return MatrixPair.PG18_PGBR_NEWEST;
    }
}
