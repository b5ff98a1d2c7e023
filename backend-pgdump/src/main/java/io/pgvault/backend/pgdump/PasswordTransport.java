package io.pgvault.backend.pgdump;

/**
 * How the password of a {@link io.pgvault.api.PgConnection} reaches libpq in {@code pg_dump}, {@code psql} and
 * {@code pg_restore}. Either way it is never on a command line and never logged.
 *
 * @since 0.1.0
 */
public enum PasswordTransport {
    /**
     * A 0600 {@code PGPASSFILE} that pgvault writes into {@code java.io.tmpdir} for the duration of one operation and
     * then deletes (the default). The tools must be able to read it: this works when they run as this process's own
     * user ({@link io.pgvault.spi.process.Launcher#local()}). A connection that names its own
     * {@link io.pgvault.api.PgConnection#passfile() passfile} uses that file instead, whatever this setting.
     *
     * @since 0.1.0
     */
    PASSFILE,
    /**
     * {@code PGPASSWORD} in the tool's environment. Use it with launchers that run the tools as another user, in a
     * container or over SSH, where a local file is not readable; the launchers forward the variable by name, so its
     * value stays off every argument list.
     *
     * @since 0.1.0
     */
    ENVIRONMENT
}
