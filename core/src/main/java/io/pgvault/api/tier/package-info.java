/**
 * 3-2-1 tiers: after a backup commits on the primary repository, copies go to further repositories, each with its
 * own filter, retention and (optionally) its own compression and encryption.
 *
 * <p>A host declares tiers on {@link io.pgvault.api.PgVault.Builder#tier(Tier)}; {@link Tiering} does the work
 * (copy, verify by hash, write the tier's manifest last, resume an interrupted copy, prune each tier, report what
 * exists where). Every tier repository is a complete catalog of its own: a vault built on it alone restores from it.
 * See ADR 0010.
 *
 * @since 0.2.0
 */
package io.pgvault.api.tier;
