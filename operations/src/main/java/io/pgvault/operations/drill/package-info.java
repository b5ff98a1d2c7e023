/**
 * Restore drills: a {@link io.pgvault.operations.drill.RestoreDrill} restores a backup set into a throwaway
 * PostgreSQL, checks the copy (row counts recorded at backup time, amcheck, SQL assertions), measures the RTO, records
 * the outcome ({@code lastVerified}, {@code drills/<set id>.json}) and removes the server again.
 * {@link io.pgvault.operations.drill.LogicalDrill} drills a vault's logical sets,
 * {@link io.pgvault.operations.drill.PhysicalDrill} a pgBackRest stanza's; both are built with the settings of
 * {@link io.pgvault.operations.drill.DrillBuilder} plus their own.
 *
 * @since 0.2.0
 */
package io.pgvault.operations.drill;
