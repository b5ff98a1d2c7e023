package io.pgvault.backend.pgdump;

/** {@link PgDumpPg17IT} on PostgreSQL 18 with its own clients (Debian testing's whole package). */
class PgDumpPg18IT extends PgDumpPg17IT {
    @Override
    int major() {
        return 18;
    }
}
