/**
 * Retention: which backup sets to keep and which to delete, and why. A {@link io.pgvault.api.retention.RetentionPolicy}
 * is a pure function from the catalog's sets and a point in time to a {@link io.pgvault.api.retention.RetentionPlan};
 * a {@link io.pgvault.api.retention.Pruner} executes a plan through a {@link io.pgvault.api.Catalog}, as a dry run
 * unless told otherwise. Decisions are recorded in {@code docs/adr/0006-retention.md}.
 *
 * <pre>{@code
 * RetentionPolicy policy = RetentionPolicy.calendar().daily(7).weekly(4).monthly(12)
 *         .zone(ZoneId.of("Europe/Berlin")).build()
 *         .or(RetentionPolicy.fulls(3).build());
 * RetentionPlan plan = vault.planRetention(policy);   // every set: KEEP or DELETE, with reasons
 * PruneReport report = vault.prune(policy, PruneMode.EXECUTE);
 * }</pre>
 *
 * @since 0.1.0
 */
package io.pgvault.api.retention;
