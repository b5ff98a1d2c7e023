package io.pgvault.backend.pgbackrest;

import io.pgvault.testkit.MatrixPair;

/**
 * {@link PgBackRestS3IT}'s plan (a posix and an encrypted S3 repo over TLS, restores from each, an unreachable port, the
 * server going down mid-backup) on PostgreSQL 17 and pgBackRest 2.55.1.
 */
class PgBackRestS3Pg17IT extends PgBackRestS3IT {
    @Override
    MatrixPair pair() {
        return MatrixPair.PG17_PGBR2551;
    }
}
