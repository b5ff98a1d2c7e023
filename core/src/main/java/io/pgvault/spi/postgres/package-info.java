/**
 * Throwaway PostgreSQL servers made from local server binaries: {@link io.pgvault.spi.postgres.ServerDirectory} is the
 * private 0700 directory such a server lives in, owned by the server's OS user and never world-writable. It serves
 * restore drills ({@code pgvault-operations}); it is public only because more than one pgvault module needs it, not as
 * a host API.
 *
 * @since 0.6.0
 */
package io.pgvault.spi.postgres;
