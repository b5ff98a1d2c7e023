/**
 * Throwaway PostgreSQL servers made from local server binaries: {@link io.pgvault.spi.postgres.ServerBinaries}
 * (a directory of server programs and their version), {@link io.pgvault.spi.postgres.ServerDirectory} (a private 0700
 * directory owned by the server's OS user, never world-writable) and {@link io.pgvault.spi.postgres.ThrowawayServer}
 * ({@code initdb}, {@code pg_ctl} start on a port of 127.0.0.1, stop, removal). One implementation serves restore
 * drills ({@code pgvault-operations}) and the test clusters of {@code pgvault-testkit}; it is public only because
 * both need it (core internals are closed to other modules), not as a host API.
 *
 * @since 0.6.0
 */
package io.pgvault.spi.postgres;
