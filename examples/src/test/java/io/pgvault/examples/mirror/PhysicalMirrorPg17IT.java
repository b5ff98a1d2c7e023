package io.pgvault.examples.mirror;

import io.pgvault.testkit.MatrixPair;

/**
 * {@link PhysicalMirrorIT} (the month-end mirror to Drive restored from the Drive copy alone, and the S3 repo as a
 * mirror source) on PostgreSQL 17 and pgBackRest 2.55.1.
 */
class PhysicalMirrorPg17IT extends PhysicalMirrorIT {
    @Override
    MatrixPair pair() {
        return MatrixPair.PG17_PGBR2551;
    }
}
